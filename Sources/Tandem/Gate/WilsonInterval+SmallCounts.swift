import Foundation

extension WilsonInterval {
    /// The lower bound on a rate of rare events (`events` out of `trials`) used for breaker decisions:
    /// the Wilson lower bound, except for 1 to 3 events where the exact Poisson lower bound is used.
    ///
    /// This is the "modified Wilson" interval of Brown, Cai and DasGupta (Statistical Science 16(2), 2001,
    /// section 4.1.1). With a handful of events the plain Wilson lower bound is far too high: one mismatch in
    /// 1,000 comparisons gives a Wilson lower bound of 1.75e-4 at 95%, which would "prove" that a canary
    /// with a true rate of 1e-5 exceeds a 1e-4 budget; the exact bound is 2.5e-5.
    package static func rareEventLowerBound(events: Int, trials: Int, confidence: Double) -> Double {
        let z = NormalDistribution.z(confidence: confidence)
        return rareEventLowerBound(
            events: events, trials: trials, z: z, poisson: poissonLowerBounds(confidence: confidence))
    }

    /// The rare-event lower bound with precomputed `z` and Poisson bounds for 1, 2 and 3 events.
    static func rareEventLowerBound(events: Int, trials: Int, z: Double, poisson: [Double]) -> Double {
        guard trials > 0, events > 0 else { return 0 }
        if events <= poisson.count {
            return min(1, poisson[events - 1] / Double(trials))
        }
        return WilsonInterval(successes: events, trials: trials, z: z, confidence: 0).lower
    }

    /// Exact lower confidence bounds on a Poisson mean after observing 1, 2 and 3 events, at one-sided level
    /// (1 - confidence) / 2: the lambda at which P(X >= x) equals that level.
    static func poissonLowerBounds(confidence: Double) -> [Double] {
        let alpha = (1 - confidence) / 2
        return (1...3).map { events in
            // P(X >= events) grows with lambda, and is 1 - P(X < events); bisect on it.
            var low = 0.0
            var high = Double(events)
            for _ in 0..<200 {
                let mid = (low + high) / 2
                var term = exp(-mid)
                var below = term
                for k in 1..<events {
                    term *= mid / Double(k)
                    below += term
                }
                if 1 - below < alpha { low = mid } else { high = mid }
            }
            return (low + high) / 2
        }
    }
}
