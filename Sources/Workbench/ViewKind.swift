/// What a loaded model can show beyond the views every ViT offers.
public enum ModelCapability: String, CaseIterable, Sendable, Codable {
    /// A trained Scorer predicting per-token Grad-CAM.
    case scorer
    case earlyExits = "early-exits"
    case changeMap = "change-map"
    case compression
}

/// What the image panel shows. Number keys 1–8 select views in this order.
public enum ViewKind: String, CaseIterable, Sendable, Codable {
    case image
    case gradcam
    case scorer
    case pruned
    case rollout
    case earlyExits = "early-exits"
    case changeMap = "change-map"
    case compression

    /// 1-based position, also the number key that selects the view.
    public var number: Int { Self.allCases.firstIndex(of: self)! + 1 }

    public var title: String {
        switch self {
        case .image: "Image"
        case .gradcam: "Grad-CAM"
        case .scorer: "Scorer"
        case .pruned: "Pruned"
        case .rollout: "Rollout"
        case .earlyExits: "Early exits"
        case .changeMap: "Change map"
        case .compression: "Compression"
        }
    }

    /// The capability a model needs for this view to be offered.
    public var requirement: ModelCapability? {
        switch self {
        case .image, .gradcam, .pruned, .rollout: nil
        case .scorer: .scorer
        case .earlyExits: .earlyExits
        case .changeMap: .changeMap
        case .compression: .compression
        }
    }
}
