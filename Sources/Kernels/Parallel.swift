import CBLAS
import Foundation
import Synchronization

/// The engine's thread budget and its worker pool.
///
/// Kernels split their work over `Parallel.threads` workers: the calling
/// thread plus `threads - 1` pool threads that spin briefly between jobs and
/// then sleep. A ViT forward pass issues a few hundred short parallel
/// sections; waking Dispatch workers for each one costs more than the
/// section itself (measured: 14.4 ms against 11.6 ms for the GEMMs of a
/// DeiT-Tiny forward), so the pool keeps its workers hot while work flows.
///
/// OpenBLAS is pinned to one thread: every GEMM is split across our workers
/// instead, so two thread pools never compete for the cores.
public enum Parallel {
    private static let state = Mutex<WorkerPool?>(nil)

    /// Number of workers used by the kernels (at least 1).
    public static var threads: Int {
        get { pool.workers }
        set {
            let wanted = max(1, newValue)
            state.withLock { current in
                if current?.workers != wanted {
                    current?.shutDown()
                    current = WorkerPool(workers: wanted)
                }
            }
        }
    }

    private static var pool: WorkerPool {
        state.withLock { current in
            if let existing = current { return existing }
            let created = WorkerPool(workers: defaultThreads)
            current = created
            return created
        }
    }

    /// `GLIMPSE_THREADS` when set, else every online core.
    private static var defaultThreads: Int {
        if let text = ProcessInfo.processInfo.environment["GLIMPSE_THREADS"], let value = Int(text), value > 0 {
            return value
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Runs `body(range)` over `0..<count` split into at most `threads`
    /// contiguous ranges, each at least `minimumChunk` long, so small loops
    /// stay on the calling thread. A call nested inside another section gets
    /// one range. A top-level call that finds the pool held by another thread
    /// runs the same ranges serially rather than wait: the split, and so the
    /// floating-point rounding of every GEMM below it, never depends on what
    /// other threads are doing.
    public static func forRanges(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let pool = self.pool
        let parts = min(pool.workers, count / max(1, minimumChunk))
        guard parts > 1, !ParallelSection.isInside else {
            body(0..<count)
            return
        }
        ParallelSection.isInside = true
        defer { ParallelSection.isInside = false }
        let partRange = { (part: Int) in count * part / parts..<count * (part + 1) / parts }
        guard pool.tryAcquire() else {
            for part in 0..<parts where !partRange(part).isEmpty { body(partRange(part)) }
            return
        }
        defer { pool.release() }
        withoutActuallyEscaping(body) { escapable in
            pool.run { part in
                guard part < parts, !partRange(part).isEmpty else { return }
                escapable(partRange(part))
            }
        }
    }

    /// Runs `body(index)` for every index in `0..<count` across the workers.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        forRanges(count) { range in
            for index in range { body(index) }
        }
    }

    /// `body(index)` for every index in `0..<count` across the workers,
    /// results in index order.
    public static func map<Result>(_ count: Int, _ body: (Int) -> Result) -> [Result] {
        let results = UnsafeMutablePointer<Result?>.allocate(capacity: count)
        results.initialize(repeating: nil, count: count)
        defer {
            results.deinitialize(count: count)
            results.deallocate()
        }
        // Each index is written by exactly one worker.
        forEach(count) { results[$0] = body($0) }
        return (0..<count).map { results[$0]! }
    }
}

/// Whether the current thread is running inside a parallel section: a pool
/// worker always is; a caller is while its section runs.
private enum ParallelSection {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static var isInside: Bool {
        get { pthread_getspecific(key) != nil }
        set { pthread_setspecific(key, newValue ? UnsafeRawPointer(bitPattern: 1) : nil) }
    }
}

/// Worker threads that wait for jobs, spinning first and then sleeping.
private final class WorkerPool: @unchecked Sendable {
    let workers: Int
    private let generation = Atomic<Int>(0)
    private let pending = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let sleepers = NSCondition()
    private var job: ((Int) -> Void)?

    /// Spin iterations before a worker sleeps: a millisecond or more, longer
    /// than any serial stretch of a forward pass (a Scorer, a token choice),
    /// since waking a sleeping worker costs more than the kernel it runs.
    private static let spinLimit = 1_000_000

    init(workers: Int) {
        self.workers = workers
        openblas_set_num_threads(1)
        for index in 1..<max(workers, 1) {
            let thread = Thread { [self] in self.serve(worker: index) }
            thread.name = "glimpse-worker-\(index)"
            thread.stackSize = 1 << 22
            thread.start()
        }
    }

    func tryAcquire() -> Bool {
        busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    }

    func release() { busy.store(false, ordering: .releasing) }

    func shutDown() {
        stopping.store(true, ordering: .releasing)
        sleepers.lock()
        generation.add(1, ordering: .releasing)
        sleepers.broadcast()
        sleepers.unlock()
    }

    /// Runs `body(worker)` for every worker; the caller is worker 0. Every
    /// worker takes part in every job, so none can lag a generation behind.
    func run(_ body: @escaping (Int) -> Void) {
        job = body
        pending.store(workers - 1, ordering: .relaxed)
        sleepers.lock()
        generation.add(1, ordering: .releasing)
        sleepers.broadcast()
        sleepers.unlock()
        body(0)
        while pending.load(ordering: .acquiring) > 0 {}
        job = nil
    }

    private func serve(worker: Int) {
        ParallelSection.isInside = true
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins >= Self.spinLimit {
                    sleepers.lock()
                    while generation.load(ordering: .acquiring) == seen { sleepers.wait() }
                    sleepers.unlock()
                }
            }
            seen = generation.load(ordering: .acquiring)
            if stopping.load(ordering: .acquiring) { return }
            job?(worker)
            pending.subtract(1, ordering: .releasing)
        }
    }
}
