//! Reference data for Guohe (国合): the tables and code checks that the rest of
//! the system treats as facts.
//!
//! * [`country`] — ISO 3166-1 alpha-2 codes with the Chinese names a Chinese
//!   government system uses (国家（地区）: 中国香港, 中国澳门, 中国台湾), and the
//!   港澳台 flag.
//! * [`region`] — GB/T 2260 administrative division codes (行政区划代码) of the
//!   prefecture-level divisions of Hunan (湖南省, `43`) and Hubei (湖北省, `42`).
//! * [`uscc`] — the unified social credit code (统一社会信用代码, GB 32100-2015),
//!   with its check character and the embedded organisation code check
//!   (组织机构代码, GB 11714).
//!
//! All tables are compiled into the binary (`include_str!`) and parsed once on
//! first use; nothing is read from disk at run time.

#![warn(missing_docs)]

pub mod country;
mod csvline;
pub mod region;
pub mod uscc;

pub use country::Country;
pub use region::{Region, RegionCodeError, RegionKind};
pub use uscc::{Uscc, UsccError};
