//! Messages of the fields area (see the module above).

#[allow(unused_imports)]
use super::Text;
