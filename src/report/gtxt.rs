//! The approval-file outputs of a check: `boundary_points.csv` (the 界址点 table of every
//! zone) and `zones_gtxt.txt` (every zone as a 国土TXT parcel), both from the dissolved zone
//! geometry in the working CRS, coordinates to `ReportMeta::coord_decimals` decimals.

use super::csv::csv_field;
use super::ReportInput;
use crate::io::gtxt::{boundary_points, encode, gtxt_text, ParcelOut};

/// The header of `boundary_points.csv`.
pub const BOUNDARY_POINTS_HEADER: &str = "开发区编号,开发区名称,部件,圈号,点号,X坐标,Y坐标";

/// `boundary_points.csv`, UTF-8 with a BOM: one row per boundary point of every zone, in zone
/// order, ring by ring (see [`boundary_points`]): 部件 the 1-based part (分片区), 圈号 1 for the
/// part's exterior and 2… for its holes, 点号 J1, J2, … across the zone (a ring's closing row
/// repeats its first point), X the northing and Y the easting in the working CRS.
pub fn write_boundary_points_csv(
    input: &ReportInput,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    let decimals = input.meta.coord_decimals;
    out.write_all("\u{feff}".as_bytes())?;
    out.write_all(BOUNDARY_POINTS_HEADER.as_bytes())?;
    out.write_all(b"\r\n")?;
    for zone in &input.analysis.zones {
        let zone_cells = format!(
            "{},{}",
            csv_field(&zone.id),
            csv_field(zone.name.as_deref().unwrap_or_default())
        );
        for p in boundary_points(&zone.geometry, decimals) {
            write!(
                out,
                "{zone_cells},{},{},J{},{:.*},{:.*}\r\n",
                p.part, p.ring_in_part, p.number, decimals, p.x_north, decimals, p.y_east
            )?;
        }
    }
    Ok(())
}

/// `zones_gtxt.txt`: every zone as a 国土TXT parcel (地块编号 the zone id, 地块名称 its name,
/// 地块面积 its planar area in 公顷), the header from the working CRS; GBK unless
/// `ReportMeta::gtxt_utf8` (or a name GBK cannot encode) asks for UTF-8.
pub fn zones_gtxt(input: &ReportInput) -> Vec<u8> {
    let parcels: Vec<ParcelOut> = input
        .analysis
        .zones
        .iter()
        .map(|z| ParcelOut {
            id: &z.id,
            name: z.name.as_deref(),
            geometry: &z.geometry,
        })
        .collect();
    let crs = &input.dataset.working_crs;
    let text = gtxt_text(
        &parcels,
        crs.epsg_equivalent(),
        &crs.name,
        input.meta.coord_decimals,
    );
    encode(&text, !input.meta.gtxt_utf8).0
}
