import Foundation

/// Linear warm-up to the peak rate, then cosine decay to `floor`.
public struct WarmupCosineSchedule: Sendable {
    public let peak: Double
    public let floor: Double
    public let warmupSteps: Int
    public let totalSteps: Int

    public init(peak: Double, floor: Double, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak
        self.floor = floor
        self.warmupSteps = warmupSteps
        self.totalSteps = max(totalSteps, 1)
    }

    /// Rate for 0-based `step`.
    public func rate(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
        return floor + (peak - floor) * 0.5 * (1 + cos(Double.pi * min(1, progress)))
    }
}
