//! Messages of the io area (see the module above).

#[allow(unused_imports)]
use super::Text;
