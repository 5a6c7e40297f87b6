export { default } from "@foresight/eslint-config";
