import Foundation
import Logging
import Synchronization
import Tandem

/// A logger that discards everything: tests check transitions through the hook and the stream.
let gateTestLogger = Logger(label: "tandem.tests.gate", factory: { _ in SwiftLogNoOpLogHandler() })

/// Collects what a breaker's synchronous hook receives.
final class GateTransitionRecorder: Sendable {
    private let items = Mutex<[BreakerTransition]>([])

    var transitions: [BreakerTransition] { items.withLock { $0 } }

    func hook() -> @Sendable (BreakerTransition) -> Void {
        { transition in self.items.withLock { $0.append(transition) } }
    }
}

/// The Wilson lower bound written out from the textbook formula, independent of the library's code path.
func referenceWilsonLower(events x: Int, trials n: Int, z: Double) -> Double {
    let p = Double(x) / Double(n)
    let nn = Double(n)
    return (p + z * z / (2 * nn) - z * (p * (1 - p) / nn + z * z / (4 * nn * nn)).squareRoot()) / (1 + z * z / nn)
}

/// Exact Poisson lower bounds for 1, 2, 3 events at 95% two-sided (computed with mpmath).
let referencePoisson95 = [0.025317807984289898, 0.24220927854396502, 0.6186721228956015]

/// The breaker's trip statistic at 95%, from the references above: Poisson bound for 1-3 events, else Wilson.
func referenceTripLower95(events: Int, trials: Int) -> Double {
    if events == 0 { return 0 }
    if events <= 3 { return referencePoisson95[events - 1] / Double(trials) }
    return referenceWilsonLower(events: events, trials: trials, z: 1.959963984540054)
}
