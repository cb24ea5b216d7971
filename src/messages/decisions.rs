//! Messages of the decisions area (see the module above).

#[allow(unused_imports)]
use super::Text;
