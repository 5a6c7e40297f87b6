export { default } from "@foresight/vitest-config";
