import Foundation

extension RolloutStatus {
    /// The status as the ledger's `rollout` row holds it (JSON, dates in Unix milliseconds).
    package func encoded() throws(RolloutError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        do { return Array(try encoder.encode(self)) } catch {
            throw RolloutError(.ledger, reason: "the rollout state could not be encoded: \(error)")
        }
    }

    /// The status a ledger's `rollout` row holds.
    package static func decode(_ bytes: [UInt8]) throws(RolloutError) -> RolloutStatus {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        do { return try decoder.decode(RolloutStatus.self, from: Data(bytes)) } catch {
            throw RolloutError(.corrupt, reason: "the rollout row does not read as a rollout: \(error)")
        }
    }
}
