import Logging
import Metrics

/// Settings of a ``TandemMigration``, all defaulted.
///
/// The plan says *what* is compared and how strictly (whitelist, gate, breaker, sample rate); this says how the
/// service runs the migration: its stage, the canary share, how much verification work may wait, and how the two
/// stores are written.
public struct TandemMigrationConfiguration: Sendable {
    /// The stage the migration starts in (change it later with ``TandemMigration/stage``).
    public var stage: MigrationStage
    /// The share of keys, in percent (0...100), whose reads v2 answers in the `live` stage while the breaker lets
    /// the canary run. The other keys, and every key while the breaker halts, are answered by the legacy store.
    public var canaryPercent: Double
    /// The salt of the canary's key hash: another salt picks another, independent set of canary keys.
    public var canarySalt: String
    /// Comparisons waiting at most for ``TandemMigration/run()``; beyond it new comparisons are shed and counted
    /// in `tandem_shed_total`, never blocking the caller.
    public var queueCapacity: Int
    /// The CPU the background comparisons may use (see ``ComparisonBudget``); `nil` takes the plan's
    /// `comparison_budget`, or ``ComparisonBudget/default`` (5% of the process's CPU) when the plan sets none.
    public var comparisonBudget: ComparisonBudget?
    /// The scheduling priority of the comparisons' thread (see ``ComparatorPriority``; `normal` by default).
    public var comparatorPriority: ComparatorPriority
    /// How the two stores are kept in step: `outbox` (WAL, faster) or `atomic` (both rows or neither).
    public var writeMode: DualWriteMode
    /// `synchronous=FULL`: commits survive power loss, not only a killed process.
    public var durable: Bool
    /// Outbox mode: whether ``TandemMigration/write(_:legacy:key:)`` returns at the primary commit, the legacy row
    /// following at once off the caller's thread (`deferred`, the default; reads through the migration still see
    /// it, and a failure is yielded on ``TandemMigration/events``), or once both stores hold it (`inline`).
    public var shadowWrites: ShadowWriteTiming
    /// Where breaker transitions, write failures and comparison failures are logged; nothing is logged when `nil`.
    public var logger: Logger?
    /// Breaker transitions and write failures kept for a slow ``TandemMigration/events`` consumer; the oldest are
    /// dropped beyond it.
    public var eventBufferSize: Int
    /// The metrics backend of the facade's counters; `nil` uses the one bootstrapped in `MetricsSystem` (bootstrap
    /// it before creating the migration). Tests pass their own to read the counts.
    public var metricsFactory: (any MetricsFactory)?
    /// Walk the plan's `rollout:` block: a ``RolloutController`` sets the stage and the canary percent, from the
    /// rollout's first step (or where its saved state stands) on; ``stage`` and ``canaryPercent`` are then not used.
    public var rollout: Bool
    /// Where the rollout persists (its `rollout` state row), so a restarted service resumes it; nil keeps it in
    /// memory and a restart starts the rollout over.
    public var rolloutLedger: (any LedgerBackend)?
    /// A ledger every instance of the service shares (`TandemPostgres`' `PostgresLedgerBackend`): the gate and the
    /// breaker become the fleet's (a ``FleetBreaker`` runs beside the comparisons); nil judges this instance alone.
    public var fleetLedger: (any LedgerBackend)?
    /// This instance's name in the fleet ledger; `host:pid` when nil.
    public var instance: String?
    /// How often the fleet ledger is polled and the fleet's window judged.
    public var fleet: FleetBreaker.Configuration

    /// Creates a configuration; every parameter has a default.
    public init(
        stage: MigrationStage = .shadow,
        canaryPercent: Double = 100,
        canarySalt: String = "tandem.canary",
        queueCapacity: Int = 4096,
        comparisonBudget: ComparisonBudget? = nil,
        comparatorPriority: ComparatorPriority = .normal,
        writeMode: DualWriteMode = .outbox,
        durable: Bool = false,
        shadowWrites: ShadowWriteTiming = .deferred,
        logger: Logger? = nil,
        eventBufferSize: Int = 1024,
        metricsFactory: (any MetricsFactory)? = nil,
        rollout: Bool = false,
        rolloutLedger: (any LedgerBackend)? = nil,
        fleetLedger: (any LedgerBackend)? = nil,
        instance: String? = nil,
        fleet: FleetBreaker.Configuration = .init()
    ) {
        self.fleetLedger = fleetLedger
        self.instance = instance
        self.fleet = fleet
        self.stage = stage
        self.canaryPercent = canaryPercent
        self.canarySalt = canarySalt
        self.queueCapacity = queueCapacity
        self.comparisonBudget = comparisonBudget
        self.comparatorPriority = comparatorPriority
        self.writeMode = writeMode
        self.durable = durable
        self.shadowWrites = shadowWrites
        self.logger = logger
        self.eventBufferSize = eventBufferSize
        self.metricsFactory = metricsFactory
        self.rollout = rollout
        self.rolloutLedger = rolloutLedger
    }
}
