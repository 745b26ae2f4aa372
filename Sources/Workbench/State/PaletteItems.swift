import Foundation

extension WorkbenchState {
    /// Every command the palette offers in the current state, unfiltered.
    public var paletteItems: [PaletteItem] {
        var items = Keymap.bindings(in: .workbench).compactMap { binding -> PaletteItem? in
            guard let title = binding.paletteTitle else { return nil }
            if case .showView(let view) = binding.action, !availableViews.contains(view) { return nil }
            return PaletteItem(title: title, command: .perform(binding.action))
        }
        items.append(PaletteItem(title: "Open image: path…", command: .ask(.imagePath)))
        items += recent.images.map { path in
            PaletteItem(title: "Open recent image: \((path as NSString).lastPathComponent) (\(path))",
                        command: .openImage(path))
        }
        let models = embeddedModels + recent.models.filter { !embeddedModels.contains($0) }
        items += models.map { PaletteItem(title: "Switch model: \($0)", command: .loadModel($0)) }
        items.append(PaletteItem(title: "Switch model: path…", command: .ask(.modelPath)))
        items.append(PaletteItem(title: "Set keep rate…", command: .ask(.keepRate)))
        items.append(PaletteItem(title: "Set threshold…", command: .ask(.threshold)))
        items += availablePolicies.map { PaletteItem(title: "Set policy: \($0.rawValue)", command: .setPolicy($0)) }
        items.append(PaletteItem(title: "Target class: automatic (top-1)", command: .setTargetClass(nil)))
        items += (analysis?.top ?? []).map {
            PaletteItem(title: "Target class: \($0.label)", command: .setTargetClass($0.index))
        }
        items.append(PaletteItem(title: "Set target class…", command: .ask(.targetClass)))
        items.append(PaletteItem(title: "Export PNG…", command: .ask(.exportPNG)))
        items.append(PaletteItem(title: "Export JSON…", command: .ask(.exportJSON)))
        items.append(PaletteItem(title: "Run sweep on a data set…", command: .ask(.sweep)))
        return items
    }

    /// The palette items matching `query`, best first.
    public func rankedPaletteItems(query: String) -> [(item: PaletteItem, match: FuzzyMatch)] {
        FuzzyMatcher.rank(paletteItems, query: query) { $0.title }
    }
}
