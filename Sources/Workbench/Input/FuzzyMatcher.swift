/// A query matched as a subsequence of a candidate.
public struct FuzzyMatch: Equatable, Sendable {
    public let score: Int
    /// Character offsets in the candidate that matched the query, ascending.
    public let positions: [Int]

    public init(score: Int, positions: [Int]) {
        self.score = score
        self.positions = positions
    }
}

/// Subsequence matching with a score that favours contiguous runs and
/// matches at word starts, as command palettes do.
public enum FuzzyMatcher {
    static let matchScore = 16
    static let wordStartBonus = 24
    static let contiguousBonus = 20
    /// Lost per skipped candidate character between two matches.
    static let gapPenalty = 1

    /// The best-scoring alignment of `query` (case-insensitive) as a
    /// subsequence of `candidate`; nil when it is not one. An empty query
    /// matches with score 0.
    public static func match(_ query: String, in candidate: String) -> FuzzyMatch? {
        let needle = Array(query.lowercased())
        let original = Array(candidate)
        let haystack = original.map { Character($0.lowercased()) }
        guard !needle.isEmpty else { return FuzzyMatch(score: 0, positions: []) }
        guard needle.count <= haystack.count else { return nil }
        let columns = haystack.count
        let impossible = Int.min / 2
        // best[i][j]: best score with query[i] matched at candidate[j];
        // from[i][j]: where query[i-1] was matched on that path.
        var best = [[Int]](repeating: [Int](repeating: impossible, count: columns), count: needle.count)
        var from = [[Int]](repeating: [Int](repeating: -1, count: columns), count: needle.count)
        for i in needle.indices {
            // Running max over k < j - 1 of best[i-1][k] + gapPenalty·k, so
            // that a gap's cost is gapPenalty·(j - k - 1).
            var runningBest = impossible
            var runningFrom = -1
            for j in 0..<columns {
                if i > 0, j >= 2, best[i - 1][j - 2] > impossible {
                    let candidateScore = best[i - 1][j - 2] + gapPenalty * (j - 2)
                    if candidateScore > runningBest { runningBest = candidateScore; runningFrom = j - 2 }
                }
                guard haystack[j] == needle[i] else { continue }
                let own = matchScore + (isWordStart(original, j) ? wordStartBonus : 0)
                if i == 0 {
                    best[i][j] = own
                    continue
                }
                if j >= 1, best[i - 1][j - 1] > impossible {
                    best[i][j] = best[i - 1][j - 1] + own + contiguousBonus
                    from[i][j] = j - 1
                }
                if runningBest > impossible {
                    let gapped = runningBest - gapPenalty * (j - 1) + own
                    if gapped > best[i][j] { best[i][j] = gapped; from[i][j] = runningFrom }
                }
            }
        }
        let last = needle.count - 1
        guard let end = best[last].indices.max(by: { best[last][$0] < best[last][$1] }),
              best[last][end] > impossible else { return nil }
        var positions = [end]
        for i in stride(from: last, to: 0, by: -1) { positions.append(from[i][positions.last!]) }
        return FuzzyMatch(score: best[last][end], positions: positions.reversed())
    }

    /// The items whose title matches, best first; ties keep the shorter
    /// title, then the original order.
    public static func rank<Item>(_ items: [Item], query: String,
                                  title: (Item) -> String) -> [(item: Item, match: FuzzyMatch)] {
        let matched = items.enumerated().compactMap { offset, item in
            match(query, in: title(item)).map { (offset: offset, length: title(item).count, item: item, match: $0) }
        }
        return matched.sorted { a, b in
            if a.match.score != b.match.score { return a.match.score > b.match.score }
            if a.length != b.length { return a.length < b.length }
            return a.offset < b.offset
        }.map { (item: $0.item, match: $0.match) }
    }

    private static func isWordStart(_ characters: [Character], _ index: Int) -> Bool {
        guard index > 0 else { return true }
        let previous = characters[index - 1], current = characters[index]
        if !(previous.isLetter || previous.isNumber) { return true }
        return previous.isLowercase && current.isUppercase
    }
}
