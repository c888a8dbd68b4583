import { leaveTempRoot } from './temp-root';

export default function unitGlobalTeardown(): void {
  leaveTempRoot();
}
