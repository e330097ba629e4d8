import Foundation

/// The breaker's state machine as a value: every decision, no locking, logging or metrics.
///
/// ``CircuitBreaker`` keeps one inside its `Mutex` and publishes the transitions it returns.
struct BreakerMachine: Sendable {
    /// A trip test found the window over budget while in `metrics_only`; nothing halts, but it is reported.
    struct SuppressedTrip: Sendable, Hashable {
        var at: Date
        var window: ComparisonCounts
    }

    private let minSamples: Int
    private let budget: Double
    private let openSeconds: Double
    private let probes: Int
    private let evaluationInterval: Int
    private let z: Double
    private let poisson: [Double]

    private(set) var state: BreakerState
    private(set) var hasTripped = false
    private(set) var transitions: [BreakerTransition] = []
    private var window: ComparisonWindow
    private var sinceEvaluation = 0
    private var openedAt = Date(timeIntervalSince1970: 0)
    /// How many times `open_seconds` the current open period lasts: doubled after each failed recovery (a
    /// persistent divergence), capped at ``maxBackoff``, back to 1 once a recovery holds, or on a reset.
    private(set) var backoff = 1
    /// The probes passed and the breaker closed, but its fresh window has not yet held `min_samples` comparisons
    /// under budget: a re-trip now is a failed recovery, as a failed probe is.
    private var recovering = false
    /// When the breaker last closed after probing: a recovery older than 16x `open_seconds` holds whatever the traffic
    /// (a time window at low traffic may never hold `min_samples`).
    private var closedAt = Date(timeIntervalSince1970: 0)
    /// The longest open period, in multiples of `open_seconds`.
    static let maxBackoff = 16
    private var probe = ComparisonCounts()
    /// Whether the last test in `metrics_only` found the window over budget: suppressed trips are reported
    /// when the condition starts, not at every evaluation while it lasts.
    private var overBudget = false
    /// A fleet's breaker decides for this one (``FleetBreaker``): it still trips on its own window (the fleet then
    /// opens too), but leaves `open` and `half_open` only when the fleet's state is adopted.
    private(set) var follower = false

    init(gate: GateConfiguration, breaker: BreakerConfiguration) {
        minSamples = gate.minSamples
        budget = gate.mismatchBudget
        openSeconds = breaker.openSeconds
        probes = breaker.halfOpenProbes
        evaluationInterval = breaker.evaluationInterval
        let confidence = breaker.tripConfidence ?? gate.confidence
        z = NormalDistribution.z(confidence: confidence)
        poisson = WilsonInterval.poissonLowerBounds(confidence: confidence)
        window = ComparisonWindow(gate.window)
        switch breaker.mode {
        case .enforce: state = .closed
        case .metricsOnly: state = .metricsOnly
        case .disabled: state = .disabled
        }
    }

    /// Whether `counts` show, at the breaker's confidence, a mismatch rate above the budget.
    func exceedsBudget(_ counts: ComparisonCounts) -> Bool {
        WilsonInterval.rareEventLowerBound(events: counts.mismatched, trials: counts.compared, z: z, poisson: poisson)
            > budget
    }

    /// The window's counts at `now`.
    mutating func windowCounts(at now: Date) -> ComparisonCounts { window.counts(at: now) }

    /// Lets time pass: an open breaker whose `open_seconds` ran out turns half-open.
    mutating func advance(to now: Date, into out: inout [BreakerTransition]) {
        guard state == .open, !follower else { return }
        let due = openedAt.addingTimeInterval(openSeconds * Double(backoff))
        guard now >= due else { return }
        probe = ComparisonCounts()
        move(to: .halfOpen, at: due, evidence: window.counts(at: now), into: &out)
    }

    /// Counts one comparison and makes the decisions it triggers.
    mutating func record(
        mismatch: Bool, at now: Date, into out: inout [BreakerTransition], suppressed: inout SuppressedTrip?
    ) {
        advance(to: now, into: &out)
        window.record(mismatch: mismatch, at: now)
        switch state {
        case .closed, .metricsOnly:
            sinceEvaluation += 1
            // The test runs on a fixed cadence rather than after every comparison: each look at the data is a
            // chance of a false trip (optional stopping), see GateAndBreaker.md.
            guard sinceEvaluation >= evaluationInterval else { return }
            sinceEvaluation = 0
            let counts = window.counts(at: now)
            let over = counts.compared >= minSamples && exceedsBudget(counts)
            if state == .closed {
                if over {
                    hasTripped = true
                    openedAt = now
                    if recovering && now.timeIntervalSince(closedAt) < openSeconds * Double(Self.maxBackoff) {
                        backoff = min(backoff * 2, Self.maxBackoff)
                    } else if recovering {
                        backoff = 1
                    }
                    recovering = false
                    move(to: .open, at: now, evidence: counts, into: &out)
                } else if recovering
                    && (counts.compared >= minSamples
                        || now.timeIntervalSince(closedAt) >= openSeconds * Double(Self.maxBackoff))
                {
                    // A full window under budget since the probes passed: the recovery holds.
                    recovering = false
                    backoff = 1
                }
            } else {
                if over && !overBudget {
                    hasTripped = true
                    suppressed = SuppressedTrip(at: now, window: counts)
                }
                overBudget = over
            }
        case .halfOpen:
            // A follower's probes are the fleet's, counted in the ledger.
            if follower { return }
            probe.compared += 1
            if mismatch { probe.mismatched += 1 }
            guard probe.compared >= probes else { return }
            // The probes face the same test that trips a closed breaker: reopen only if they show the rate
            // above budget; otherwise close and start a fresh window. See GateAndBreaker.md for why the
            // upper bound cannot be the bar.
            let evidence = probe
            if exceedsBudget(evidence) {
                openedAt = now
                backoff = min(backoff * 2, Self.maxBackoff)
                move(to: .open, at: now, evidence: evidence, into: &out)
            } else {
                clearEvidence()
                recovering = true
                closedAt = now
                move(to: .closed, at: now, evidence: evidence, into: &out)
            }
        case .open, .forcedOpen, .disabled:
            break
        }
    }

    /// An operator's command: moves to `target` from any state. `closed` also empties the window.
    mutating func command(_ target: BreakerState, at now: Date, into out: inout [BreakerTransition]) {
        advance(to: now, into: &out)
        let evidence = window.counts(at: now)
        // Only a reset forgets the evidence; switching to metrics_only or disabled keeps judging the same window.
        if target == .closed {
            clearEvidence()
            backoff = 1
            recovering = false
        }
        if target == .metricsOnly { overBudget = false }
        if target == .open { openedAt = now }
        move(to: target, at: now, evidence: evidence, into: &out)
    }

    /// Follows a fleet's breaker from now on (see ``follower``).
    mutating func follow() { follower = true }

    /// Takes the state a fleet's breaker decided: `closed` starts a fresh window, `open` an open period of
    /// `backoff` times `open_seconds` (ended by the fleet, not by this machine, once it follows).
    mutating func adopt(
        _ target: BreakerState, backoff: Int, evidence: ComparisonCounts, at now: Date,
        into out: inout [BreakerTransition]
    ) {
        guard target != state else { return }
        self.backoff = min(max(backoff, 1), Self.maxBackoff)
        switch target {
        case .closed: clearEvidence()
        case .open:
            hasTripped = true
            openedAt = now
        case .halfOpen: probe = ComparisonCounts()
        case .forcedOpen, .disabled, .metricsOnly: break
        }
        recovering = false
        move(to: target, at: now, evidence: evidence, into: &out)
    }

    private mutating func clearEvidence() {
        window.reset()
        sinceEvaluation = 0
        probe = ComparisonCounts()
        overBudget = false
    }

    private mutating func move(
        to target: BreakerState, at time: Date, evidence: ComparisonCounts, into out: inout [BreakerTransition]
    ) {
        guard target != state else { return }
        let transition = BreakerTransition(
            at: time, from: state, to: target, mismatchRate: evidence.mismatchRate, samples: evidence.compared)
        state = target
        transitions.append(transition)
        out.append(transition)
    }
}
