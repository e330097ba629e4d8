import Synchronization
import Tandem

/// The breaker's transition hook of a run. The engine, which needs the hook, opens before the ledger, whose first
/// checkpoint needs the engine's report: transitions made before the ledger is attached (none are, in practice:
/// nothing has been compared yet) are buffered and handed over in order.
final class TransitionHook: Sendable {
    private struct State {
        var ledger: Ledger?
        var early: [BreakerTransition] = []
    }

    private let state = Mutex(State())

    /// The hook to pass to the engine: transitions are buffered in the ledger and written at the next checkpoint.
    var onTransition: @Sendable (BreakerTransition) -> Void {
        { [self] transition in
            state.withLock { state in
                if let ledger = state.ledger {
                    ledger.record(transition: transition)
                } else {
                    state.early.append(transition)
                }
            }
        }
    }

    func attach(_ ledger: Ledger) {
        state.withLock { state in
            for transition in state.early { ledger.record(transition: transition) }
            state.early.removeAll()
            state.ledger = ledger
        }
    }
}
