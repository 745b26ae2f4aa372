import Foundation
import Kernels
import Synchronization
import Testing

/// The ranges `Parallel.forRanges` hands to its body, in start order.
private func rangesOf(_ count: Int) -> [Range<Int>] {
    let seen = Mutex<[Range<Int>]>([])
    Parallel.forRanges(count) { range in seen.withLock { $0.append(range) } }
    return seen.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
}

@Suite struct ParallelTests {
    /// Kernels split GEMMs by these ranges, so a different split would change
    /// the rounding of a result whenever another thread held the pool.
    @Test func splitDoesNotDependOnABusyPool() {
        let free = rangesOf(10)
        let parts = min(Parallel.threads, 10)
        #expect(free.count == parts)
        #expect(free.first?.lowerBound == 0 && free.last?.upperBound == 10)

        let holding = DispatchSemaphore(value: 0)
        let finish = DispatchSemaphore(value: 0)
        let holder = Thread {
            Parallel.forRanges(2) { range in
                guard range.lowerBound == 0 else { return }
                holding.signal()
                finish.wait()
            }
        }
        holder.start()
        holding.wait()
        let busy = rangesOf(10)
        finish.signal()
        #expect(busy == free)
    }

    @Test func nestedSectionsRunAsOneRange() {
        let nested = Mutex<[[Range<Int>]]>([])
        Parallel.forRanges(4) { _ in
            let inner = rangesOf(10)
            nested.withLock { $0.append(inner) }
        }
        let recorded = nested.withLock { $0 }
        #expect(!recorded.isEmpty)
        #expect(recorded.allSatisfy { $0 == [0..<10] })
    }
}
