//! Every user-visible string of the app, in Chinese (default) and English: one table.

use serde::{Deserialize, Serialize};

/// The UI language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The engine's language for this choice (for [`crate::model::Text`]).
    pub fn model(self) -> crate::model::Lang {
        match self {
            Lang::Zh => crate::model::Lang::Zh,
            Lang::En => crate::model::Lang::En,
        }
    }
}

macro_rules! strings {
    ($($name:ident: $zh:literal, $en:literal;)*) => {
        /// A user-visible string; its text comes from [`Lang::t`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum S { $($name),* }

        impl S {
            /// Every string, for tests and the font subset.
            pub const ALL: &'static [S] = &[$(S::$name),*];

            pub fn zh(self) -> &'static str {
                match self { $(S::$name => $zh),* }
            }

            pub fn en(self) -> &'static str {
                match self { $(S::$name => $en),* }
            }
        }
    };
}

strings! {
    AppTitle: "zonecheck 开发区整合审查", "zonecheck development-zone review";
    MenuFile: "文件", "File";
    MenuEdit: "编辑", "Edit";
    MenuView: "视图", "View";
    MenuCheck: "检查", "Check";
    MenuExport: "导出", "Export";
    MenuHelp: "帮助", "Help";
    Open: "打开", "Open";
    OpenReview: "打开审查文件…", "Open review…";
    Recent: "最近打开", "Recent reviews";
    NoRecent: "（无）", "(none)";
    Save: "保存", "Save";
    SaveReview: "保存审查", "Save review";
    SaveAs: "另存为…", "Save as…";
    Quit: "退出", "Quit";
    Pan: "平移", "Pan";
    Zoom: "缩放", "Zoom";
    Identify: "识别", "Identify";
    RunCheck: "运行检查 ▶", "Run check ▶";
    ExportReport: "导出报告", "Export report";
    ExportReportTo: "导出报告到文件夹…", "Export report to folder…";
    ExportPdf: "同时生成 PDF 报告（report.pdf）", "Also write the PDF report (report.pdf)";
    CheckOnOpen: "打开后自动检查", "Check after opening";
    ZoomFull: "缩放到全图", "Zoom to full extent";
    ZoomSelection: "缩放到选中", "Zoom to selection";
    NextFinding: "下一个问题", "Next finding";
    Undo: "撤销", "Undo";
    Redo: "重做", "Redo";
    FixCutProtected: "扣除所选开发区占用的保护用地", "Cut protected land out of the selected zone";
    FixCloseGaps: "连接所选开发区的间隙", "Close the selected zone's gaps";
    FixCutOverlaps: "扣除所选开发区与其他开发区的重叠", "Cut the other zones out of the selected zone";
    DeleteFeature: "删除要素", "Delete feature";
    MergeOriginalsMenu: "由原开发区新建整合开发区…", "New merged zone from original zones…";
    MergeTitle: "由原开发区新建整合开发区", "New merged zone from original zones";
    NoOriginalLayer: "审查没有原开发区图层", "The review has no original-zones layer";
    NewZoneId: "新开发区编号", "New zone id";
    NewZoneName: "名称（空：取第一个成员的名称）", "Name (empty: the first member's)";
    CreateZone: "创建", "Create";
    UnknownPlaque: "不在牌子表中", "not in the table of designations";
    UnknownMember: "原开发区图层中没有", "not in the original-zones layer";
    ExportPlanGeojson: "导出方案为 GeoJSON", "Export the plan as GeoJSON";
    ExportPlanGtxt: "导出方案为国土TXT", "Export the plan as 国土TXT";
    ExportPlanComparison: "导出方案修改对比表", "Export the plan comparison";
    CompareNeedsChecks: "需先检查原方案与修改后的方案（F5）", "Check the plan as loaded and as edited first (F5)";
    FixDropFragments: "删除所选开发区的碎片", "Remove the selected zone's fragments";
    FixNeedsZone: "先在检查结果或地图上选择一个开发区", "Select a zone first (in the findings or on the map)";
    NothingToFix: "所选开发区无需修改", "The selected zone needs no change";
    PlanEdited: "方案已修改（未保存）", "Plan edited (unsaved)";
    SavePlanAs: "保存方案为…", "Save plan as…";
    SavePlanTitle: "保存方案为", "Save plan as";
    SavePlanButton: "保存方案", "Save plan";
    SavePlanPath: "保存位置", "Save to";
    Browse: "浏览…", "Browse…";
    SavePlanFormat: "格式", "Format";
    SavePlanEncoding: "属性编码", "Attribute encoding";
    EncodingGbk: "GBK（国内 GIS 软件通用）", "GBK (what Chinese GIS software expects)";
    GbkCannotHold: "有属性值含 GBK 无法表示的字符，请选 UTF-8", "Some values have characters GBK cannot hold: choose UTF-8";
    DbfNamesNote: "DBF 字段名最长 10 字节：过长的字段名按规则截短，对照表写入同名 _fields.csv", "DBF field names hold 10 bytes: longer names are cut by the documented rule, and <name>_fields.csv lists them";
    SavePlanIsInput: "该文件是本审查的输入图层：保存会替换原始数据", "This file is one of the review's inputs: saving replaces the original data";
    SavePlanExists: "文件已存在", "The file exists";
    SavePlanOverwrite: "我确认替换该文件", "Replace this file";
    PlanSavedTo: "方案已保存到", "Plan saved to";
    ShowChanges: "显示方案修改（新增绿色、移出红色）", "Show plan changes (added green, removed red)";
    MergeMapHint: "也可在地图上选择：单击原开发区选中它，Shift 或 Ctrl+单击增减，Ctrl+拖动框选", "Or choose on the map: click an original zone to choose it, Shift- or Ctrl-click to add or remove, Ctrl-drag a box";
    EnclaveFlagUnknown: "不是可识别的飞地标记：填 是 或 否（也认 Y/N、1/0、飞地/非飞地）", "Not an enclave flag the rules read: write 是 or 否 (Y/N, 1/0, yes/no also work)";
    TooManyIndustries: "主导产业 {n} 个，超过 {max} 个", "{n} dominant industries, more than {max}";
    PerMuNotANumber: "不是数字（万元/亩）", "Not a number (10,000 yuan per mu)";
    PlaceNotInTownships: "乡镇图层中没有这个名称，区位检查将无法对照", "The townships layer has no such name: the location check cannot compare";
    FixPreviewTitle: "修改预览", "Fix preview";
    FixAreaBeforeAfter: "开发区面积", "Zone area";
    FixCutFrom: "扣除", "Cut out of";
    FixLeftovers: "一并去除的细碎边角", "Thin leftovers removed with it";
    FixFragments: "删除的碎片", "Fragments removed";
    FixGaps: "间隙", "Gaps";
    FixGapsCounts: "连接 {closed} 处，{left} 处因保护用地未连接", "{closed} joined, {left} not joined (protected land)";
    FixRemovedTotal: "移出（地图上红色）", "Taken out (red on the map)";
    FixAddedTotal: "新增（地图上绿色）", "Added (green on the map)";
    FixPreviewHint: "应用后为一步修改，可撤销（Ctrl+Z）", "Applied as one edit, which can be undone (Ctrl+Z)";
    ApplyFix: "应用", "Apply";
    ToolVertex: "节点", "Vertices";
    ToolMovePart: "移动部件", "Move part";
    DrawZone: "绘制新区", "Draw zone";
    DrawPart: "绘制部件", "Draw part";
    DrawHole: "挖洞", "Cut hole";
    DrawSplit: "分割", "Split";
    SnapToggle: "捕捉", "Snap";
    TraceToggle: "追踪", "Trace";
    EditTools: "编辑工具", "Editing tools";
    HintVertex: "节点工具：单击选择开发区；拖动节点移动，拖动边中点或双击边插入节点，右键节点或按 Delete 删除节点", "Vertex tool: click a zone to select it; drag a vertex to move it, drag an edge's midpoint or double-click an edge to add one, right-click a vertex or press Delete to remove it";
    HintMovePart: "移动部件：拖动所选开发区的部件移动它，右键部件删除它", "Move part: drag a part of the selected zone to move it, right-click a part to delete it";
    HintDrawZone: "绘制新区：单击添加点，双击或 Enter 完成，Backspace 撤销上一点，Esc 取消", "Draw zone: click to add points, double-click or Enter to finish, Backspace removes the last point, Esc cancels";
    HintDrawPart: "绘制部件/挖洞：在所选开发区上单击添加点，双击或 Enter 完成，Backspace 撤销上一点，Esc 取消", "Draw part / cut hole: click points on the selected zone, double-click or Enter to finish, Backspace removes the last point, Esc cancels";
    HintSplit: "分割：画一条完整穿过所选开发区的线，双击或 Enter 完成；切出的块成为同一开发区的新要素", "Split: draw a line right across the selected zone, double-click or Enter to finish; the cut-off pieces become new features of the same zone";
    HintSelectZone: "请先单击选择要编辑的整合开发区。", "First click the merged zone to edit.";
    PlanSaved: "方案已保存为", "Plan saved as";
    PrevFinding: "上一个问题", "Previous finding";
    Language: "语言", "Language";
    Chinese: "中文", "中文 (Chinese)";
    English: "English（英文）", "English";
    LightTheme: "浅色主题", "Light theme";
    DarkTheme: "深色主题", "Dark theme";
    ShowLayers: "图层面板", "Layers panel";
    ShowFindings: "检查结果面板", "Findings panel";
    ShowAttributes: "属性面板", "Attributes panel";
    About: "关于 zonecheck", "About zonecheck";
    AboutText: "zonecheck：按《开发区（园区）整合提升》指导意见，审查整合后开发区与生态保护红线、永久基本农田、饮用水水源保护区的冲突及集中连片等规则。", "zonecheck reviews merged development zones against the ecological red line, permanent basic farmland and drinking-water-source protection, and the contiguity and plan rules of the consolidation guidance.";
    Shortcuts: "快捷键：F5 运行检查 · N/P 下一个/上一个问题 · 方向键 平移 · +/− 缩放 · Home 全图 · Ctrl+O 打开 · Ctrl+S 保存", "Shortcuts: F5 run check · N/P next/previous finding · arrows pan · +/− zoom · Home full extent · Ctrl+O open · Ctrl+S save";
    Layers: "图层", "Layers";
    Legend: "图例", "Legend";
    Findings: "检查结果", "Findings";
    Attributes: "属性", "Attributes";
    NoSelection: "点击地图上的要素查看属性（识别工具）。", "Click a feature on the map to see its attributes (Identify tool).";
    Field: "字段", "Field";
    Value: "值", "Value";
    Layer: "图层", "Layer";
    Record: "记录号", "Record";
    Loading: "正在加载", "Loading";
    Checking: "正在检查", "Checking";
    Exporting: "正在导出", "Exporting";
    StageRead: "读取图层", "reading layers";
    StageRepair: "坐标转换与修复", "reprojecting and repairing";
    StageIndex: "建立索引", "indexing";
    StageCheckZones: "检查开发区", "checking zones";
    StageReports: "写出报告", "writing reports";
    Cancel: "取消", "Cancel";
    Ready: "就绪", "Ready";
    NoReview: "未打开审查文件。请通过 文件 → 打开 选择审查文件（review.toml）。", "No review open. Use File → Open to choose a review file (review.toml).";
    NotChecked: "尚未检查：点击 运行检查 ▶（F5）。", "Not checked yet: click Run check ▶ (F5).";
    Stale: "数据已变更，结果已过期，请重新检查。", "The data changed; results are stale, run the check again.";
    Pass: "通过", "pass";
    Fail: "不通过", "FAIL";
    Plan: "整合方案（全局）", "Plan (overall)";
    Severity: "级别", "Severity";
    Blocking: "否决", "blocking";
    Warning: "警告", "warning";
    Info: "提示", "info";
    ZonesSummary: "开发区", "zones";
    FailingSummary: "不通过", "failing";
    Status: "审查状态", "Review status";
    StatusOpen: "待处理", "open";
    StatusAccepted: "同意（说明理由）", "accepted (with reason)";
    StatusMustFix: "须修改", "must fix";
    PassedByDecision: "经审查通过", "passed by decision";
    EvidenceChanged: "证据已变化（决定后检查结果有变，请重新确认）", "evidence changed since the decision (confirm again)";
    ConfirmAgain: "重新确认", "Confirm again";
    OrphanedDecisions: "已失效的审查意见", "Orphaned decisions";
    OrphanedHint: "对应的检查结果已不存在；意见保留在审查文件中，不会转给其他结果。", "Their findings no longer exist; kept in the review file, never moved to another finding.";
    DecidedCount: "已处理", "decided";
    OpenCount: "待处理", "open";
    VerdictTitle: "审查结论", "Review verdict";
    VerdictNone: "未下结论", "none yet";
    VerdictPass: "通过", "pass";
    VerdictReturn: "退回修改", "return for revision";
    Reviewer: "审查人", "Reviewer";
    VerdictDate: "日期", "Date";
    Today: "今天", "Today";
    VerdictComment: "意见", "Comment";
    VerdictOpenBlocking: "仍有否决项未经同意：结论为通过时，报告会写明未处理的项数", "blocking findings are not accepted: a pass is recorded with their number in every report";
    Reason: "理由", "Reason";
    Comment: "审查意见", "Comment";
    Clause: "依据", "Clause";
    SelectedFinding: "选中的问题", "Selected finding";
    NoFindings: "无问题", "no findings";
    Cancelled: "已取消", "Cancelled";
    CheckDone: "检查完成", "Check finished";
    CheckIncomplete: "检查不完整", "Check incomplete";
    InputProblems: "项输入问题", "input problem(s)";
    ExportDone: "报告已导出到", "Report written to";
    Saved: "已保存", "Saved";
    Error: "错误", "Error";
    Dismiss: "关闭", "Dismiss";
    WorkingCrs: "工作坐标系", "Working CRS";
    Features: "要素", "features";
    Encoding: "编码", "encoding";
    Warnings: "条警告", "warnings";
    Scale: "比例尺", "Scale";
    Conflicts: "冲突区域", "Conflicts";
    SelectedHighlight: "选中问题", "Selected finding";
    WaterClass1: "一级保护区", "class I";
    WaterClass2: "二级保护区", "class II";
    WaterClassPre: "准保护区", "preliminary";
    Unsaved: "（未保存）", "(unsaved)";
    ZoneLabels: "显示开发区标注", "Show zone labels";
    Tool: "工具", "Tool";
    LangSwitch: "English", "中文";
    // app-data
    NewReview: "新建审查（选择开发区图层）…", "New review (choose the zones layer)…";
    NewEmptyReview: "新建空白审查", "New empty review";
    AddLayers: "添加图层…", "Add layers…";
    Role: "角色", "Role";
    ExtraName: "名称", "Name";
    ExtraUse: "用途", "Use";
    Crs: "坐标系", "CRS";
    Apply: "应用", "Apply";
    Detect: "自动识别", "detect";
    RemoveLayer: "移除图层", "Remove layer";
    LayerSettings: "设置", "Settings";
    CrsGuessed: "坐标系为推测", "CRS assumed";
    EncodingGuessed: "编码为推测", "encoding guessed";
    LoadFailed: "加载失败", "failed to load";
    AttributeTable: "属性表", "Attribute table";
    NoLayer: "该图层未加载。", "This layer is not loaded.";
    CloseTable: "关闭属性表", "Close table";
    Rows: "行", "rows";
    Copy: "复制", "Copy";
    CopyRow: "复制整行", "Copy row";
    ResizeColumn: "调整列宽", "Resize column";
    Patches: "涉及图斑（点击标识码缩放到该图斑）", "Features involved (click an id to zoom to it)";
    AreaM2: "面积 (m²)", "Area (m²)";
    AreaMu: "面积 (亩)", "Area (mu)";
    ClusterGaps: "组团间距（地图上以虚线标出）", "Gaps between clusters (dashed on the map)";
    ClusterGapsNet: "扣除其间的道路、河流、铁路和保护区域后", "Net of the roads, rivers, railways and protected land in them";
    ZoneParts: "分片区", "sub-areas";
    ZoneClusters: "组团", "clusters";
    Filter: "筛选", "Filter";
    FilterHint: "文字，或 字段=值", "text, or FIELD=value";
    UnsupportedDrop: "不支持的文件类型（可拖入 .shp、.geojson、.json、.gpkg 图层或 .toml 审查文件）", "unsupported file type (drop .shp, .geojson, .json, .gpkg layers or a .toml review)";
    GpkgTables: "选择图层", "Choose layers";
    GpkgTablesHint: "此文件（GeoPackage、文件地理数据库等）含有多个图层，请勾选要添加的图层：", "This file (GeoPackage, File Geodatabase, …) has several layers; tick the layers to add:";
    AddChosen: "添加所选", "Add chosen";
    NoZonesLayer: "尚无整合后开发区图层：请添加图层，并将其角色设为“整合后开发区”。", "No merged-zones layer yet: add layers and give one the role “merged zones”.";
    Untitled: "未命名审查", "untitled review";
    TableShortcut: "属性表（Ctrl+T）", "Attribute table (Ctrl+T)";
    Busy: "后台任务进行中，请稍候再试。", "A background job is running; try again when it is done.";
    LayerLoadFailed: "图层加载失败", "Layer could not be loaded";
    DropHint: "松开鼠标：.shp / .geojson / .json 添加为图层，.toml 打开审查文件", "Release to add .shp / .geojson / .json layers, or to open a .toml review";
    // app-plan
    PlanSummary: "方案汇总", "Plan summary";
    PlanSummaryOpen: "方案汇总…", "Plan summary…";
    ShortcutsPlan: "F6 方案汇总 · Ctrl+N 新建审查 · Ctrl+I 添加图层 · Ctrl+Shift+S 另存为 · Ctrl+E 导出报告", "F6 plan summary · Ctrl+N new review · Ctrl+I add layers · Ctrl+Shift+S save as · Ctrl+E export report";
    QuotaLevel: "层级", "Level";
    QuotaName: "名称", "Name";
    QuotaZones: "开发区数", "Zones";
    QuotaAllowed: "允许范围", "Allowed";
    QuotaVerdict: "核对", "Result";
    QuotaProvince: "全省总量", "Province total";
    QuotaCityLevel: "设区市本级", "city level";
    QuotaCounty: "县（市、区）", "county";
    QuotaUnplaced: "未计入名额", "not counted";
    QuotaNoPlace: "缺少设区市/县属性", "no city/county attribute";
    QuotaWithin: "符合", "within";
    QuotaAbove: "超过上限", "above the maximum";
    QuotaBelow: "少于下限", "below the minimum";
    QuotaTotalOnly: "仅计入总量", "in the total only";
    QuotaHint: "点击名称，检查结果中只列该组开发区；再点一次显示全部。", "Click a name to list only that group's zones in the findings; click again to list all.";
    ShowingOnly: "仅显示", "Showing only";
    ShowAll: "显示全部", "Show all";
    ExportFinished: "导出完成", "Export finished";
    OpenFolder: "打开文件夹", "Open folder";
    OpenReport: "打开报告", "Open report (HTML)";
    OpenFailed: "无法打开", "Cannot open";
    NotFound: "文件不存在", "not found";
    // rule filter
    Rule: "规则", "Rule";
    AllRules: "全部", "all";
    // app-map
    ZoomBox: "框选放大", "Zoom box";
    Opacity: "不透明度", "Opacity";
    MoveUp: "上移", "Up";
    MoveDown: "下移", "Down";
    MoveUpHint: "在地图上画在更上层", "Draw above the layer over it";
    MoveDownHint: "在地图上画在更下层", "Draw below the layer under it";
    ZoomToLayer: "缩放到图层", "Zoom to layer";
    // settings window
    SettingsTitle: "设置/审查规则", "Settings / review rules";
    SettingsOpen: "规则设置…", "Rule settings…";
    ShortcutsSettings: "Ctrl+, 规则设置", "Ctrl+, rule settings";
    RulesHeading: "检查规则", "Rules";
    QuotasHeading: "整合名额", "Quotas";
    SeverityHeading: "严重程度", "Severity";
    FieldsHeading: "字段用途", "Field roles";
    FieldsHint: "每个图层各用途所用的字段；“自动识别”按字段名识别并核对取值。", "The field each layer uses for each role; “detect” finds it by name and checks its values.";
    ContiguityDistance: "连片距离", "Contiguity distance";
    MaxBridgedGap: "道路、河流与保护区域可弥合的最大间距", "Longest gap roads, rivers and protected land bridge";
    MinConnectionWidth: "最小连接宽度（0 为不检查）", "Minimum connection width (0: off)";
    MaxParts: "分片区数量上限", "Most sub-areas per zone";
    SliverTolerance: "碎片面积容差", "Sliver area tolerance";
    SliverWidth: "碎片宽度容差", "Sliver width tolerance";
    SliverTotal: "碎片合计上限", "Sliver total allowance";
    TaxPerMuTarget: "亩均税收目标", "Tax per mu target";
    ValueAddedPerMuTarget: "亩均增加值目标", "Value added per mu target";
    WanPerMu: "万元/亩", "10k yuan/mu";
    CustodyShare: "托管乡镇保护面积占比阈值", "Custody protected share";
    CustodyCover: "推定托管的最小覆盖比例", "Custody inferred from coverage of";
    TbmjTolerance: "TBMJ 与椭球面积核对容差", "TBMJ vs ellipsoidal area tolerance";
    AreaBasis: "面积口径", "Area used by the checks";
    AreaEllipsoidal: "按 CGCS2000 椭球面积（否则按平面面积）", "CGCS2000 ellipsoidal (else planar)";
    NotANumber: "不是数字", "is not a number";
    NotACount: "不是非负整数", "is not a whole number ≥ 0";
    MustBeNonNegative: "不能为负数", "must not be negative";
    ShareRange: "应在 0 到 1 之间", "must be between 0 and 1";
    MinAboveMax: "下限大于上限", "minimum above maximum";
    Minimum: "下限", "Min";
    Maximum: "上限", "Max";
    Remove: "删除", "Remove";
    AddRow: "添加一行", "Add row";
    DefaultSeverity: "默认", "default";
    ApplySettings: "应用并重新检查", "Apply and re-check";
    Close: "关闭", "Close";
    // app-safety: unsaved-changes prompt, recovery, dialogs, window title
    UnsavedTitle: "未保存的更改", "Unsaved changes";
    UnsavedText: "当前审查有未保存的决定或设置。先保存吗？", "This review has unsaved decisions or settings. Save them first?";
    DontSave: "不保存", "Don't save";
    RecoverTitle: "恢复未保存的审查", "Recover unsaved review";
    RecoverText: "上次程序退出时（可能是崩溃）这份审查有未保存的更改：", "When the app last stopped (perhaps a crash), this review had unsaved changes:";
    RecoverWhen: "自动保存于", "Autosaved at";
    Restore: "恢复", "Restore";
    Discard: "放弃", "Discard";
    DialogOpen: "已有一个文件对话框打开。", "A file dialog is already open.";
    DialogLibraryMissing: "无法显示文件对话框：未能加载 GTK 3（libgtk-3.so.0）。可安装 GTK 3，或把文件拖入窗口打开。", "Cannot show the file dialog: GTK 3 (libgtk-3.so.0) could not be loaded. Install GTK 3, or drop the files onto the window.";
    DialogNoDisplay: "无法显示文件对话框：GTK 无法连接到显示器。", "Cannot show the file dialog: GTK cannot open the display.";
    ChooseZonesLayer: "选择开发区图层", "Choose the zones layer";
    ChooseExportFolder: "选择导出文件夹", "Choose the export folder";
    SaveReviewAs: "审查另存为", "Save review as";
    RecoveryFailed: "无法恢复审查", "Cannot recover the review";
}

impl Lang {
    /// The text of `s` in this language.
    pub fn t(self, s: S) -> &'static str {
        match self {
            Lang::Zh => s.zh(),
            Lang::En => s.en(),
        }
    }

    /// Picks the Chinese or English variant of text that comes with the data (finding messages).
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub fn is_zh(self) -> bool {
        self == Lang::Zh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_has_both_languages() {
        for s in S::ALL {
            assert!(!s.zh().is_empty() && !s.en().is_empty(), "{s:?}");
        }
        assert_eq!(Lang::default().t(S::MenuFile), "文件");
        assert_eq!(Lang::En.t(S::MenuFile), "File");
    }
}
