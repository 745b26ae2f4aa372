/// Assigns curses colour pairs to (foreground, background) combinations,
/// reusing the least recently used pair once all are taken.
///
/// Pair 0 is the terminal's default colours and is never handed out.
public struct ColorPairCache: Sendable {
    public struct Assignment: Equatable, Sendable {
        public let pair: Int
        /// The pair must be (re)defined before use.
        public let needsDefinition: Bool
        /// An older combination lost this pair: cells still showing it changed colour.
        public let evicted: Bool

        public init(pair: Int, needsDefinition: Bool, evicted: Bool) {
            self.pair = pair
            self.needsDefinition = needsDefinition
            self.evicted = evicted
        }
    }

    private struct Colours: Hashable {
        let foreground: PaletteColor
        let background: PaletteColor
    }

    public let capacity: Int
    private var pairs: [Colours: (pair: Int, lastUse: Int)] = [:]
    private var clock = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public mutating func assign(foreground: PaletteColor, background: PaletteColor) -> Assignment {
        let colours = Colours(foreground: foreground, background: background)
        clock += 1
        if let existing = pairs[colours] {
            pairs[colours] = (existing.pair, clock)
            return Assignment(pair: existing.pair, needsDefinition: false, evicted: false)
        }
        if pairs.count < capacity {
            let pair = pairs.count + 1
            pairs[colours] = (pair, clock)
            return Assignment(pair: pair, needsDefinition: true, evicted: false)
        }
        let oldest = pairs.min { $0.value.lastUse < $1.value.lastUse }!
        pairs[oldest.key] = nil
        pairs[colours] = (oldest.value.pair, clock)
        return Assignment(pair: oldest.value.pair, needsDefinition: true, evicted: true)
    }
}
