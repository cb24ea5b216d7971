//! Messages of the load area (see the module above).

#[allow(unused_imports)]
use super::Text;
