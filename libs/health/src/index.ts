export { HealthModule } from './health.module';
export {
  type DependencyStatus,
  type PublicDependencyStatus,
  HealthService,
  type ReadinessContributor,
  type ReadinessReport,
} from './health.service';
