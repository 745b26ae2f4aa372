import Methods

/// A panel drawn over the workbench that takes the keyboard while open.
public enum Overlay: Equatable, Sendable {
    case help(scroll: Int)
    case palette(PaletteState)
    case browser(BrowserState)
    case prompt(PromptState)

    public var keyMode: KeyMode {
        switch self {
        case .help: .help
        case .palette: .palette
        case .browser: .browser
        case .prompt: .prompt
        }
    }
}

public struct PaletteState: Equatable, Sendable {
    public var query: String
    /// Index into the filtered, ranked items.
    public var selection: Int

    public init(query: String = "", selection: Int = 0) {
        self.query = query
        self.selection = selection
    }
}

public struct BrowserState: Equatable, Sendable {
    public var directory: String
    public var entries: [DirectoryEntry] = []
    public var selection = 0
    /// True until the listing of `directory` arrives.
    public var isLoading = true
    public var error: String?

    /// A browser waiting for the listing of `directory`.
    public init(directory: String) {
        self.directory = directory
    }
}

public struct PromptState: Equatable, Sendable {
    public var kind: PromptKind
    public var text: String
    public var error: String?

    public init(kind: PromptKind, text: String, error: String? = nil) {
        self.kind = kind
        self.text = text
        self.error = error
    }
}

/// Everything the palette and prompts can ask for.
public enum WorkbenchCommand: Equatable, Sendable {
    case perform(KeyAction)
    case ask(PromptKind)
    case openImage(String)
    case loadModel(String)
    case setPolicy(PruningPolicy)
    case setKeepRate(Double)
    case setThreshold(Double)
    case setTargetClass(Int?)
    case exportPNG(String)
    case exportJSON(String)
    case sweep(dataset: String, limit: Int)
}

/// One entry of the command palette.
public struct PaletteItem: Equatable, Sendable {
    public let title: String
    public let command: WorkbenchCommand
}
