import { enterTempRoot } from './temp-root';

export default function unitGlobalSetup(): void {
  enterTempRoot();
}
