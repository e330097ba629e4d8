import ServiceLifecycle

/// A migration runs in the service's `ServiceGroup`: ``TandemMigration/run()`` drains comparisons until the
/// group shuts down gracefully, then finishes the queued ones. List it before the HTTP server, so that the group,
/// which stops services in reverse order, stops the server first and the migration last.
extension TandemMigration: Service {}
