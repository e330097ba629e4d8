import SwiftProtobuf

/// The answer to ``TandemMigration/read(key:)``: the authoritative record, typed by the store that holds it.
///
/// The primary store holds v2 records; the shadow (legacy) store holds v1 records restricted to the plan's
/// whitelist. Which one answers depends on the stage, the canary and the breaker, so a read can return either.
/// A v1 record is never silently turned into a v2 one: v2 fields that have no v1 counterpart would come back
/// empty, which is data loss the caller must choose knowingly. Use ``v2(upgradingLegacy:)`` with the service's
/// own v1 -> v2 mapping (the one its legacy read path already has), or serve ``legacy(_:_:)`` records as they are.
public enum TandemRecord<V2: SwiftProtobuf.Message, V1: SwiftProtobuf.Message>: Sendable {
    /// The primary (v2) store answered.
    case v2(V2, StoredRecord)
    /// The legacy (v1 shadow) store answered.
    case legacy(V1, StoredRecord)

    /// Which store answered.
    public var store: MigrationStage.Store {
        switch self {
        case .v2: .primary
        case .legacy: .shadow
        }
    }

    /// The stored row: key, payload bytes, the write's `seq` and time.
    public var stored: StoredRecord {
        switch self {
        case .v2(_, let row), .legacy(_, let row): row
        }
    }

    /// The v2 record, or `nil` when the legacy store answered.
    public var v2Record: V2? {
        if case .v2(let message, _) = self { return message }
        return nil
    }

    /// The v1 record, or `nil` when the primary store answered.
    public var legacyRecord: V1? {
        if case .legacy(let message, _) = self { return message }
        return nil
    }

    /// The v2 record, converting a legacy answer with `upgrade`.
    public func v2(upgradingLegacy upgrade: (V1) throws -> V2) rethrows -> V2 {
        switch self {
        case .v2(let message, _): message
        case .legacy(let message, _): try upgrade(message)
        }
    }
}
