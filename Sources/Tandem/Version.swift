public enum TandemVersion { public static let current = "0.1.0" }
