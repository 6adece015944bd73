//! wip
pub use itsm_cmdb as cmdb;
pub use itsm_core as core;
