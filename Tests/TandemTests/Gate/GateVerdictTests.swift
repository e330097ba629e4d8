import Tandem
import Testing

@Suite("Gate verdict")
struct GateVerdictTests {
    struct Case: Sendable, CustomStringConvertible {
        var compared: Int
        var mismatched: Int
        var tripped: Bool
        var passed: Bool
        var confident: Bool
        var inconclusive: Bool
        var outcome: GateVerdict.Outcome
        var description: String { "\(mismatched)/\(compared) tripped=\(tripped)" }
    }

    // Budget 1e-4, min_samples 1000, 95%. The upper bound of 0 mismatches in n is z^2 / (n + z^2), so
    // confidence at zero mismatches needs n > 38,400; with 10 mismatches it needs roughly n > 184,000.
    @Test(arguments: [
        Case(
            compared: 0, mismatched: 0, tripped: false, passed: false, confident: false, inconclusive: true,
            outcome: .inconclusive),
        Case(
            compared: 999, mismatched: 0, tripped: false, passed: false, confident: false, inconclusive: true,
            outcome: .inconclusive),
        Case(
            compared: 1000, mismatched: 0, tripped: false, passed: true, confident: false, inconclusive: false,
            outcome: .passed),
        Case(
            compared: 100_000, mismatched: 10, tripped: false, passed: true, confident: false,
            inconclusive: false, outcome: .passed),
        Case(
            compared: 100_000, mismatched: 11, tripped: false, passed: false, confident: false,
            inconclusive: false, outcome: .failed),
        Case(
            compared: 1_000_000, mismatched: 0, tripped: false, passed: true, confident: true,
            inconclusive: false, outcome: .passed),
        Case(
            compared: 1_000_000, mismatched: 10, tripped: false, passed: true, confident: true,
            inconclusive: false, outcome: .passed),
        Case(
            compared: 1_000_000, mismatched: 101, tripped: false, passed: false, confident: false,
            inconclusive: false, outcome: .failed),
        Case(
            compared: 500, mismatched: 0, tripped: true, passed: false, confident: false, inconclusive: false,
            outcome: .failed),
        Case(
            compared: 1_000_000, mismatched: 0, tripped: true, passed: false, confident: true,
            inconclusive: false, outcome: .failed),
    ])
    func verdictFollowsDesignSectionSeven(row: Case) {
        let verdict = GateVerdict(
            totals: ComparisonCounts(compared: row.compared, mismatched: row.mismatched),
            breakerTripped: row.tripped, configuration: GateConfiguration())
        #expect(verdict.passed == row.passed)
        #expect(verdict.confident == row.confident)
        #expect(verdict.inconclusive == row.inconclusive)
        #expect(verdict.outcome == row.outcome)
        #expect(verdict.reason.hasPrefix(row.outcome.rawValue))
    }
}
