/// How a backward kernel stores its result. A gradient's first contribution
/// overwrites fresh, uninitialised storage: zero-filling it only for the
/// kernel to add into the zeros costs a pass over memory per buffer (glibc's
/// memset was 5–7% of a fashion-vit training step).
public enum GradientWrite: Sendable {
    /// gradient += contribution
    case accumulate
    /// gradient = contribution, every element written
    case overwrite

    /// The GEMM `beta` that gives this write.
    public var beta: Float { self == .accumulate ? 1 : 0 }
}
