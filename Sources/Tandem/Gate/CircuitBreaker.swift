import Foundation
import Logging
import Metrics
import Synchronization

/// Halts the canary when the mismatch rate over the sliding window is, with confidence, above the budget.
///
/// States: `closed` → `open` when the lower confidence bound of the window's mismatch rate exceeds the budget
/// (`1 - gate.min_consistency`) after at least `gate.min_samples` comparisons in the window, tested once every
/// `breaker.evaluation_interval` comparisons. `open` → `half_open` after `breaker.open_seconds` by the injected
/// clock; the next `breaker.half_open_probes` comparisons then decide: `closed` (with a fresh window) unless
/// they themselves show the rate above budget, in which case `open` again, for twice as long each time (up to 16x
/// `open_seconds`). A breaker that closes and re-trips before its fresh window held `min_samples` comparisons under
/// budget failed its recovery too; a recovery that holds, or a reset, brings the period back to `open_seconds`.
/// Operators can force `forced_open`,
/// `disabled` and `metrics_only`, and ``reset()`` to `closed`. See <doc:GateAndBreaker> for the statistics.
///
/// Every transition is logged through the caller's `Logger`, counted in `tandem_breaker_transitions_total{to}`,
/// shown in the `tandem_breaker_state` gauge, passed to the synchronous hook and yielded on ``transitions``.
/// Recording takes a lock briefly and does O(1) work.
public final class CircuitBreaker: Sendable {
    /// Transitions in the order they happened. Buffers the newest 4096 if nobody listens; the stream finishes
    /// when the breaker is deinitialised or ``finish()`` is called. Meant for one consumer.
    public let transitions: AsyncStream<BreakerTransition>

    /// The gate settings the breaker judges by.
    public let gateConfiguration: GateConfiguration
    /// The breaker's own settings.
    public let configuration: BreakerConfiguration

    let machine: Mutex<BreakerMachine>
    /// Whether the state halts the canary, kept in step with every transition (under the lock) so that
    /// ``isHalting``, asked on every read of a service, takes no lock. Only transitions change it: `open` turning
    /// `half_open` with time halts either way.
    private let halting: Atomic<Bool>
    private let continuation: AsyncStream<BreakerTransition>.Continuation
    let clock: any TandemClock
    private let logger: Logger
    private let hook: (@Sendable (BreakerTransition) -> Void)?
    private let stateGauge = Gauge(label: "tandem_breaker_state")

    /// Creates a breaker.
    ///
    /// - Parameters:
    ///   - gate: The budget, confidence, min_samples and window the breaker judges by.
    ///   - configuration: Timeouts, probes, cadence and starting mode.
    ///   - clock: The time source for windows and `open_seconds`.
    ///   - logger: Where transitions are logged (notice level; trips at warning).
    ///   - onTransition: Called synchronously with each transition, in order, while the breaker's lock is held:
    ///     it must return quickly and must not call back into this breaker.
    /// - Throws: ``GateConfigurationError`` naming the out-of-range key.
    public init(
        gate: GateConfiguration = GateConfiguration(),
        configuration: BreakerConfiguration = BreakerConfiguration(),
        clock: any TandemClock = WallClock(),
        logger: Logger,
        onTransition: (@Sendable (BreakerTransition) -> Void)? = nil
    ) throws(GateConfigurationError) {
        try gate.validate()
        try configuration.validate()
        gateConfiguration = gate
        self.configuration = configuration
        let machine = BreakerMachine(gate: gate, breaker: configuration)
        self.machine = Mutex(machine)
        halting = Atomic(machine.state.isHalting)
        (transitions, continuation) = AsyncStream.makeStream(
            of: BreakerTransition.self, bufferingPolicy: .bufferingNewest(4096))
        self.clock = clock
        self.logger = logger
        hook = onTransition
        stateGauge.record(machine.state.gaugeValue)
    }

    deinit {
        continuation.finish()
    }

    /// Counts one comparison outcome; `in_flight` and `shed` do not enter the window and are ignored.
    public func record(_ outcome: ComparisonOutcome) {
        switch outcome {
        case .match: record(matched: true)
        case .mismatch: record(matched: false)
        case .inFlight, .shed: return
        }
    }

    /// Counts a batch of outcomes, in order, under one pass through the lock; `in_flight` and `shed` are ignored.
    public func record(_ outcomes: [ComparisonOutcome]) {
        let now = clock.now()
        machine.withLock { machine in
            var out: [BreakerTransition] = []
            for outcome in outcomes where outcome == .match || outcome == .mismatch {
                var suppressed: BreakerMachine.SuppressedTrip?
                machine.record(mismatch: outcome == .mismatch, at: now, into: &out, suppressed: &suppressed)
                if let suppressed { reportSuppressed(suppressed) }
            }
            publish(out)
        }
    }

    /// Counts one comparison: `matched` is whether both stores agreed.
    public func record(matched: Bool) {
        let now = clock.now()
        machine.withLock { machine in
            var out: [BreakerTransition] = []
            var suppressed: BreakerMachine.SuppressedTrip?
            machine.record(mismatch: !matched, at: now, into: &out, suppressed: &suppressed)
            if let suppressed { reportSuppressed(suppressed) }
            publish(out)
        }
    }

    /// The current state (an open breaker whose time ran out is half-open).
    public var state: BreakerState { advanced { $0.state } }

    /// Whether the canary is halted: every key goes to the legacy path (`open`, `half_open`, `forced_open`).
    ///
    /// Lock-free: the read path of a service asks it on every read.
    public var isHalting: Bool { halting.load(ordering: .acquiring) }

    /// How many transitions the breaker has made (a cheap way to notice that one happened).
    public var transitionCount: Int { machine.withLock { $0.transitions.count } }

    /// The counts in the breaker's window at `now` (the window the gate that feeds it shares).
    func windowCounts(at now: Date) -> ComparisonCounts {
        machine.withLock { $0.windowCounts(at: now) }
    }

    /// Whether the breaker ever tripped on evidence in this run; a `metrics_only` would-be trip counts.
    public var hasTripped: Bool { machine.withLock { $0.hasTripped } }

    /// The state, window counts and transitions so far.
    public func snapshot() -> BreakerSnapshot {
        let now = clock.now()
        return machine.withLock { machine in
            var out: [BreakerTransition] = []
            machine.advance(to: now, into: &out)
            publish(out)
            return BreakerSnapshot(
                state: machine.state, window: machine.windowCounts(at: now), hasTripped: machine.hasTripped,
                transitions: machine.transitions, backoff: machine.backoff)
        }
    }

    /// Opens the breaker until ``reset()``: the canary halts whatever the evidence says.
    public func forceOpen() { command(.forcedOpen) }

    /// Stops evaluating: the breaker never trips and never halts until ``reset()``.
    public func disable() { command(.disabled) }

    /// Keeps evaluating and reporting would-be trips, but never halts.
    public func metricsOnly() { command(.metricsOnly) }

    /// Closes the breaker and empties its window. ``hasTripped`` stays: it describes the run.
    public func reset() { command(.closed) }

    /// Finishes the ``transitions`` stream; later transitions still reach the log, metrics and hook.
    public func finish() { continuation.finish() }

    private func command(_ target: BreakerState) {
        let now = clock.now()
        machine.withLock { machine in
            var out: [BreakerTransition] = []
            machine.command(target, at: now, into: &out)
            publish(out)
        }
    }

    private func advanced<T>(_ body: (BreakerMachine) -> T) -> T {
        let now = clock.now()
        return machine.withLock { machine in
            var out: [BreakerTransition] = []
            machine.advance(to: now, into: &out)
            publish(out)
            return body(machine)
        }
    }

    /// Publishes transitions while the lock is held, so every observer sees them in the order they happened.
    func publish(_ transitions: [BreakerTransition]) {
        if let last = transitions.last { halting.store(last.to.isHalting, ordering: .releasing) }
        for transition in transitions {
            let level: Logger.Level = transition.to == .open ? .warning : .notice
            logger.log(
                level: level, "circuit breaker \(transition.from.rawValue) -> \(transition.to.rawValue)",
                metadata: [
                    "tandem.breaker.from": "\(transition.from.rawValue)",
                    "tandem.breaker.to": "\(transition.to.rawValue)",
                    "tandem.breaker.mismatch_rate": "\(transition.mismatchRate)",
                    "tandem.breaker.samples": "\(transition.samples)",
                ])
            Counter(label: "tandem_breaker_transitions_total", dimensions: [("to", transition.to.rawValue)])
                .increment()
            stateGauge.record(transition.to.gaugeValue)
            hook?(transition)
            continuation.yield(transition)
        }
    }

    private func reportSuppressed(_ trip: BreakerMachine.SuppressedTrip) {
        logger.warning(
            "circuit breaker would trip (metrics_only: canary not halted)",
            metadata: [
                "tandem.breaker.mismatch_rate": "\(trip.window.mismatchRate)",
                "tandem.breaker.samples": "\(trip.window.compared)",
            ])
    }
}
