/// How ``DualWriter`` keeps the primary and shadow stores in step (DESIGN section 5).
public enum DualWriteMode: String, Sendable, Codable, CaseIterable {
    /// Both files in WAL mode; the primary row and an outbox row commit together, the shadow row follows,
    /// and pending outbox rows are replayed on open and by ``DualWriter/repair()``.
    case outbox
    /// Both files in rollback-journal mode, the shadow attached to the primary connection: both rows commit
    /// in one transaction, or neither does.
    case atomic
}
