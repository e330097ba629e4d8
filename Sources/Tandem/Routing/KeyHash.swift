/// A stable hash of record keys: the same key gives the same value on every machine, process and run.
///
/// Swift's `hashValue` is seeded randomly per process, so it cannot choose canary keys or samples that must
/// stay put across restarts and replays. This is FNV-1a 64 over the UTF-8 bytes of salt and key, followed by
/// the MurmurHash3 64-bit finaliser, whose avalanche makes the top bits uniform even for keys that differ in
/// one trailing character.
package enum KeyHash {
    /// The 64-bit hash of `key` under `salt`.
    package static func hash(_ key: String, salt: String = "") -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in salt.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        // 0xFF never occurs in UTF-8, so ("ab", "c") and ("a", "bc") hash differently.
        h = (h ^ 0xFF) &* 0x0000_0100_0000_01b3
        for byte in key.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }

    /// A uniform value in [0, 1) for `key` under `salt`.
    package static func unit(_ key: String, salt: String = "") -> Double {
        // The top 53 bits fill a Double's mantissa exactly, so every value is below 1.
        Double(hash(key, salt: salt) >> 11) * 0x1p-53
    }

    /// Whether `key` falls in a stable sample of share `rate` (0 = none, 1 = all).
    ///
    /// The default salt differs from the router's, so the compared keys and the canary keys are independent.
    package static func sampled(_ key: String, rate: Double, salt: String = "tandem.sample") -> Bool {
        if rate >= 1 { return true }
        if !(rate > 0) { return false }
        return unit(key, salt: salt) < rate
    }
}
