/// Where a migration stands, with LaunchDarkly migration-flag semantics: which store answers reads, which
/// stores are written, and whether reads are compared.
///
/// | stage       | writes        | authoritative   | compares |
/// |-------------|---------------|-----------------|----------|
/// | `off`       | legacy only   | shadow (v1)     | no       |
/// | `dualwrite` | both          | shadow (v1)     | no       |
/// | `shadow`    | both          | shadow (v1)     | yes      |
/// | `live`      | both          | primary (v2)    | yes      |
/// | `rampdown`  | both          | primary (v2)    | no       |
/// | `complete`  | new only      | primary (v2)    | no       |
public enum MigrationStage: String, Sendable, Hashable, CaseIterable {
    /// Legacy only: v1 is authoritative, nothing is dual-written.
    case off
    /// Both stores are written, reads come from legacy, nothing is compared.
    case dualwrite
    /// Both stores are written, reads come from legacy (authoritative) and are compared against v2.
    case shadow
    /// Both stores are written, reads come from v2 (authoritative) and are compared against legacy.
    case live
    /// Both stores are written, reads come from v2, nothing is compared.
    case rampdown
    /// New only: v2 is authoritative, legacy is no longer written.
    case complete

    /// One of the two stores (the dual writer's ``DualWriter/Side``).
    public typealias Store = DualWriter.Side

    /// The store whose answer the caller gets.
    public var authoritative: Store {
        switch self {
        case .off, .dualwrite, .shadow: .shadow
        case .live, .rampdown, .complete: .primary
        }
    }

    /// The store that answers a read of `key` at this stage: the ``authoritative`` one, except that while the stage
    /// still writes the shadow, the shadow answers when the breaker halts the canary, and in `live` when `router`
    /// sends the key to legacy (without a router every key is in the canary).
    public func readStore(for key: String, router: Router?, isHalting: Bool) -> Store {
        guard authoritative == .primary else { return .shadow }
        let isCanary = self == .live ? (router?.route(key) ?? .v2) == .v2 : true
        return writesShadow && (isHalting || !isCanary) ? .shadow : .primary
    }

    /// Whether writes go to the primary (v2) store.
    public var writesPrimary: Bool { self != .off }

    /// Whether writes go to the shadow (legacy v1) store.
    public var writesShadow: Bool { self != .complete }

    /// Whether reads are compared between the two stores (and feed the gate).
    public var compares: Bool { self == .shadow || self == .live }
}
