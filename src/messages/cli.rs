//! Messages of the cli area (see the module above).

#[allow(unused_imports)]
use super::Text;
