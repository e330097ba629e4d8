/// The scheduling priority of the background comparator's thread (``ShadowReader/run()``).
///
/// The default is ``normal``: the CPU budget (``ComparisonBudget``), not the priority, keeps comparisons from taking
/// the requests' CPU. A lowered priority looks kinder but costs tail latency: the comparator takes process-wide locks
/// the request threads also take (SQLite's file-lock mutex at the start of every read transaction, the memory
/// allocator's), and a thread of the lowest priority that is preempted while holding one may wait several
/// milliseconds for the CPU while requests wait for it (priority inversion). Measured with
/// `Benchmarks/scripts/service.sh` on a saturated 2-core machine: GET p99 1.26-1.48x of comparisons off with the
/// comparator at `SCHED_IDLE` or nice 19, and no measurable increase at normal priority, the budget the same.
public enum ComparatorPriority: String, Sendable, Hashable, CaseIterable {
    /// The service's own priority; the CPU budget bounds what the comparator takes.
    case normal
    /// Below every other thread: `SCHED_IDLE` on Linux (nice 19 where that is refused). Runs only on CPU time nothing
    /// else wants, at the risk of priority inversion on the locks it shares with requests.
    case background
}
