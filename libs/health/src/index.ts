export { HealthModule } from './health.module';
export {
  type DependencyStatus,
  HealthService,
  type ReadinessContributor,
  type ReadinessReport,
} from './health.service';
