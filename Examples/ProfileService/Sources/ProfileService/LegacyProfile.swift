import SwiftProtobuf

/// The legacy code path: how the service has always built its v1 record from a request. It is kept, unchanged,
/// while the migration runs, so the shadow store holds what the old code would have stored and the comparisons
/// check the new v2 code against it.
enum LegacyProfile {
    static func record(from profile: ProfileV2) -> ProfileV1 {
        var legacy = ProfileV1()
        legacy.id = profile.id
        legacy.displayName = profile.profile.displayName
        if profile.hasCreatedAt {
            legacy.createdMs = profile.createdAt.seconds * 1000 + Int64(profile.createdAt.nanos / 1_000_000)
        }
        legacy.status =
            switch profile.status {
            case .active: .active
            case .suspended: .disabled
            default: .unspecified
            }
        legacy.email = profile.emailAddress
        legacy.lastSeenMs = profile.lastSeenMs
        legacy.tags = profile.labels
        return legacy
    }
}
