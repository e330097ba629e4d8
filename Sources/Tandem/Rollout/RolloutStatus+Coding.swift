import Foundation

extension RolloutStatus {
    /// The status as the ledger's `rollout` row holds it (JSON, dates in Unix seconds at full precision, so a status
    /// reads back equal).
    package func encoded() throws(RolloutError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        do { return Array(try encoder.encode(self)) } catch {
            throw RolloutError(.ledger, reason: "the rollout state could not be encoded: \(error)")
        }
    }

    /// The status a ledger's `rollout` row holds.
    package static func decode(_ bytes: [UInt8]) throws(RolloutError) -> RolloutStatus {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        let status: RolloutStatus
        do { status = try decoder.decode(RolloutStatus.self, from: Data(bytes)) } catch {
            throw RolloutError(.corrupt, reason: "the rollout row does not read as a rollout: \(error)")
        }
        guard status.compared >= 0, status.mismatched >= 0, status.mismatched <= status.compared,
            status.stepIndex >= 0, status.step.canaryPercent >= 0, status.step.canaryPercent <= 100,
            status.decisions.allSatisfy({ $0.samples >= 0 && $0.consistency.isFinite })
        else {
            throw RolloutError(
                .corrupt,
                reason: "the rollout row holds impossible counts (compared \(status.compared), mismatched "
                    + "\(status.mismatched), step index \(status.stepIndex))")
        }
        return status
    }
}
