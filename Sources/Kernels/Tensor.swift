import CBLAS
import Foundation

/// Dense float32 storage in row-major order.
///
/// A tensor is a reference to an aligned buffer plus a shape. `reshaped`
/// returns a view that shares the buffer; every kernel writes into a tensor
/// it was given or one it allocates, so sharing is explicit.
public final class Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>
    private let owner: Buffer

    /// Owns the allocation so that views keep it alive.
    private final class Buffer {
        let base: UnsafeMutableRawPointer
        init(count: Int) {
            _ = Self.keepFreedMemory
            // 64-byte alignment suits AVX-512 loads and the BLAS packing code.
            base = UnsafeMutableRawPointer.allocate(
                byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        }
        deinit { base.deallocate() }

        /// A forward pass frees and reallocates the same large activation
        /// buffers hundreds of times. glibc returns blocks over 128 KB to the
        /// kernel at once, and the kernel then zeroes fresh pages on every
        /// reuse; keeping them in the heap removes that cost. One arena:
        /// the per-thread arenas glibc gives other threads (training
        /// shards) ignore these thresholds and page in afresh.
        static let keepFreedMemory: Void = {
            #if os(Linux)
            mallopt(M_MMAP_THRESHOLD, 1 << 30)
            mallopt(M_TRIM_THRESHOLD, 1 << 30)
            mallopt(M_ARENA_MAX, 1)
            #endif
        }()
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        count = shape.reduce(1, *)
        owner = Buffer(count: count)
        pointer = owner.base.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: count)
    }

    /// A tensor whose contents the caller overwrites completely before reading.
    public init(uninitialized shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        count = shape.reduce(1, *)
        owner = Buffer(count: count)
        pointer = owner.base.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    public convenience init(shape: [Int], values: [Float]) {
        self.init(uninitialized: shape)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    public convenience init(shape: [Int], repeating value: Float) {
        self.init(uninitialized: shape)
        pointer.update(repeating: value, count: count)
    }

    private init(shape: [Int], sharing other: Tensor) {
        self.shape = shape
        count = other.count
        owner = other.owner
        pointer = other.pointer
    }

    /// A view with another shape over the same storage.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(shape: newShape, sharing: self)
    }

    public var rank: Int { shape.count }

    public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }

    public var array: [Float] { Array(buffer) }

    /// A copy with its own storage.
    public func copy() -> Tensor {
        let out = Tensor(uninitialized: shape)
        out.pointer.update(from: pointer, count: count)
        return out
    }

    /// A copy of the items `range` along the first axis (a slice of a batch).
    public func items(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0], "items \(range) of \(shape)")
        let itemShape = Array(shape.dropFirst())
        let out = Tensor(uninitialized: [range.count] + itemShape)
        out.pointer.update(from: pointer + range.lowerBound * itemShape.reduce(1, *), count: out.count)
        return out
    }

    public func fill(_ value: Float) { pointer.update(repeating: value, count: count) }

    public subscript(flat index: Int) -> Float {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }

    /// Row-major strides of the shape.
    public var strides: [Int] {
        var result = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            result[axis] = running
            running *= shape[axis]
        }
        return result
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = buffer.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor\(shape)[\(preview)\(count > 8 ? ", …" : "")]"
    }
}
