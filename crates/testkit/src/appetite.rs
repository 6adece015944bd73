//! The risk appetite tests share, so that each test file does not carry its own copy.
//!
//! [`standard`] fits the standard 5x5 matrix (`Low`, `Medium`, `High`, `Critical`): accepted
//! within appetite up to `Medium` (`Low` in the division `retail`), a risk owner decides up to
//! `Medium` and a risk manager up to `High` (top management on anything), top management is
//! told from `High`, and `Critical` risks are copied to the corporate register. A test that
//! needs another rule changes a field of it (`RiskAppetite { escalate_at: "Critical".into(),
//! ..standard() }`).

use itsm_core::Role;
use itsm_risk::{Authority, RiskAppetite};

/// The shared appetite (see the module docs).
#[must_use]
pub fn standard() -> RiskAppetite {
    RiskAppetite {
        default_threshold: "Medium".into(),
        divisions: [("retail".to_owned(), "Low".to_owned())]
            .into_iter()
            .collect(),
        authority: vec![
            Authority {
                role: Role::RiskOwner,
                up_to: "Medium".into(),
            },
            Authority {
                role: Role::RiskManager,
                up_to: "High".into(),
            },
        ],
        escalate_at: "High".into(),
        corporate_at: Some("Critical".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_appetite_is_one_the_standard_matrix_accepts() {
        let m = itsm_risk::RiskMatrix::standard_5x5();
        assert!(standard().validate(&m).is_ok());
        assert!(itsm_risk::RiskRegister::new(m, standard()).is_ok());
    }
}
