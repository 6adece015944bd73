//! Money: exact amounts in a currency, and exact allocation.
//!
//! Budgets and cost allocation (ISO/IEC 20000-1 8.4.1) must balance to the cent, so amounts are
//! `rust_decimal::Decimal`, never floating point; an amount never has more decimals than its
//! currency's minor unit; and combining two currencies is an error, never a silent conversion.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Error;

/// An ISO 4217 currency with its number of minor-unit decimals (EUR: 2, JPY: 0, KWD: 3).
///
/// Serialized as its code (`"EUR"`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: &'static str,
    minor_units: u32,
}

macro_rules! currencies {
    ($($name:ident = $units:literal: $doc:literal),* $(,)?) => {
        impl Currency {
            $(
                #[doc = $doc]
                pub const $name: Currency = Currency { code: stringify!($name), minor_units: $units };
            )*
        }
        const KNOWN: &[Currency] = &[$(Currency::$name),*];
    };
}

currencies! {
    AED = 2: "UAE dirham", ARS = 2: "Argentine peso", AUD = 2: "Australian dollar",
    BGN = 2: "Bulgarian lev", BHD = 3: "Bahraini dinar", BRL = 2: "Brazilian real",
    CAD = 2: "Canadian dollar", CHF = 2: "Swiss franc", CLP = 0: "Chilean peso",
    CNY = 2: "Chinese yuan", COP = 2: "Colombian peso", CZK = 2: "Czech koruna",
    DKK = 2: "Danish krone", EGP = 2: "Egyptian pound", EUR = 2: "Euro",
    GBP = 2: "Pound sterling", HKD = 2: "Hong Kong dollar", HUF = 2: "Hungarian forint",
    IDR = 2: "Indonesian rupiah", ILS = 2: "Israeli new shekel", INR = 2: "Indian rupee",
    ISK = 0: "Icelandic krona", JOD = 3: "Jordanian dinar", JPY = 0: "Japanese yen",
    KES = 2: "Kenyan shilling", KRW = 0: "South Korean won", KWD = 3: "Kuwaiti dinar",
    MAD = 2: "Moroccan dirham", MXN = 2: "Mexican peso", MYR = 2: "Malaysian ringgit",
    NGN = 2: "Nigerian naira", NOK = 2: "Norwegian krone", NZD = 2: "New Zealand dollar",
    OMR = 3: "Omani rial", PHP = 2: "Philippine peso", PLN = 2: "Polish zloty",
    QAR = 2: "Qatari riyal", RON = 2: "Romanian leu", RSD = 2: "Serbian dinar",
    SAR = 2: "Saudi riyal", SEK = 2: "Swedish krona", SGD = 2: "Singapore dollar",
    THB = 2: "Thai baht", TND = 3: "Tunisian dinar", TRY = 2: "Turkish lira",
    TWD = 2: "New Taiwan dollar", UAH = 2: "Ukrainian hryvnia", USD = 2: "US dollar",
    VND = 0: "Vietnamese dong", XAF = 0: "Central African CFA franc",
    XOF = 0: "West African CFA franc", ZAR = 2: "South African rand",
}

impl Currency {
    /// The currency with this ISO 4217 code.
    ///
    /// # Errors
    /// [`Error::UnknownCurrency`] when the code is not in the built-in table.
    pub fn from_code(code: &str) -> Result<Self, Error> {
        KNOWN
            .iter()
            .find(|c| c.code == code)
            .copied()
            .ok_or_else(|| Error::UnknownCurrency {
                code: code.to_owned(),
            })
    }

    /// The ISO 4217 code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        self.code
    }

    /// How many decimals the minor unit has (2 for cents).
    #[must_use]
    pub const fn minor_units(&self) -> u32 {
        self.minor_units
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}
impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}
impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code)
    }
}
impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::from_code(&code).map_err(serde::de::Error::custom)
    }
}

/// An exact amount of money in one currency, never finer than the currency's minor unit.
///
/// Serialized as `{"amount": "12.34", "currency": "EUR"}` (the amount as a string, so no JSON
/// reader turns it into a float).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawMoney")]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "money, as `{\"amount\": \"12.34\", \"currency\": \"EUR\"}`"
)]
struct RawMoney {
    amount: Decimal,
    currency: Currency,
}

impl TryFrom<RawMoney> for Money {
    type Error = Error;
    fn try_from(raw: RawMoney) -> Result<Self, Error> {
        Self::new(raw.amount, raw.currency)
    }
}

impl Money {
    /// `amount` in `currency`.
    ///
    /// # Errors
    /// [`Error::TooPrecise`] when `amount` has more decimals than the currency's minor unit
    /// (use [`Money::rounded`] to round instead).
    pub fn new(amount: Decimal, currency: Currency) -> Result<Self, Error> {
        let normalized = amount.normalize();
        if normalized.scale() > currency.minor_units {
            return Err(Error::TooPrecise {
                amount,
                currency: currency.code,
                minor_units: currency.minor_units,
            });
        }
        Ok(Self {
            amount: with_scale(normalized, currency.minor_units),
            currency,
        })
    }

    /// `amount` rounded half away from zero to the currency's minor unit.
    #[must_use]
    pub fn rounded(amount: Decimal, currency: Currency) -> Self {
        let r = amount
            .round_dp_with_strategy(currency.minor_units, RoundingStrategy::MidpointAwayFromZero);
        Self {
            amount: with_scale(r, currency.minor_units),
            currency,
        }
    }

    /// Zero in `currency`.
    #[must_use]
    pub fn zero(currency: Currency) -> Self {
        Self::rounded(Decimal::ZERO, currency)
    }

    /// The amount.
    #[must_use]
    pub const fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    #[must_use]
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// True for a zero amount.
    #[must_use]
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// True for an amount below zero.
    #[must_use]
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    fn same_currency(&self, other: &Self) -> Result<(), Error> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::CurrencyMismatch {
                left: self.currency.code,
                right: other.currency.code,
            })
        }
    }

    /// `self + other`.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] or [`Error::Overflow`].
    pub fn checked_add(&self, other: &Self) -> Result<Self, Error> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(Error::Overflow {
                operation: "money addition",
            })?;
        Ok(Self::rounded(amount, self.currency))
    }

    /// `self - other`.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] or [`Error::Overflow`].
    pub fn checked_sub(&self, other: &Self) -> Result<Self, Error> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_sub(other.amount)
            .ok_or(Error::Overflow {
                operation: "money subtraction",
            })?;
        Ok(Self::rounded(amount, self.currency))
    }

    /// `self * factor`, rounded half away from zero to the minor unit.
    ///
    /// # Errors
    /// [`Error::Overflow`].
    pub fn mul_rounded(&self, factor: Decimal) -> Result<Self, Error> {
        let amount = self.amount.checked_mul(factor).ok_or(Error::Overflow {
            operation: "money multiplication",
        })?;
        Ok(Self::rounded(amount, self.currency))
    }

    /// The sum of `items`, all in `currency` (zero when empty).
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] naming the first item in another currency, or
    /// [`Error::Overflow`].
    pub fn sum<'a>(
        currency: Currency,
        items: impl IntoIterator<Item = &'a Money>,
    ) -> Result<Self, Error> {
        items
            .into_iter()
            .try_fold(Self::zero(currency), |acc, m| acc.checked_add(m))
    }

    /// Splits this amount in proportion to `weights`, exactly to the minor unit.
    ///
    /// Uses the largest-remainder method in integer minor units: each part gets the floor of
    /// its exact share, and the units left over go one each to the parts with the largest
    /// remainders (earlier parts win ties). The parts always sum to the whole, and no part
    /// differs from its exact share by a full minor unit or more. A negative amount is split
    /// like its absolute value, then negated.
    ///
    /// # Errors
    /// [`Error::InvalidWeights`] when `weights` is empty, has a negative weight or sums to
    /// zero; [`Error::Overflow`] when amount x weights leaves 128-bit integer range.
    pub fn allocate(&self, weights: &[Decimal]) -> Result<Vec<Self>, Error> {
        if weights.is_empty() {
            return Err(Error::InvalidWeights {
                reason: "no weights given".into(),
            });
        }
        if let Some((i, w)) = weights
            .iter()
            .enumerate()
            .find(|(_, w)| w.is_sign_negative() && !w.is_zero())
        {
            return Err(Error::InvalidWeights {
                reason: format!("weight {i} is negative (`{w}`)"),
            });
        }
        let overflow = Error::Overflow {
            operation: "money allocation",
        };
        let scale = weights.iter().map(Decimal::scale).max().unwrap_or(0);
        let ints = weights
            .iter()
            .map(|w| {
                w.mantissa()
                    .checked_mul(pow10(scale.saturating_sub(w.scale()))?)
            })
            .collect::<Option<Vec<i128>>>()
            .ok_or_else(|| overflow.clone())?;
        let total = ints
            .iter()
            .try_fold(0i128, |acc, w| acc.checked_add(*w))
            .ok_or_else(|| overflow.clone())?;
        if total == 0 {
            return Err(Error::InvalidWeights {
                reason: "weights sum to zero".into(),
            });
        }
        let minor = self.currency.minor_units;
        let units = self
            .amount
            .mantissa()
            .checked_mul(
                pow10(minor.saturating_sub(self.amount.scale())).ok_or_else(|| overflow.clone())?,
            )
            .ok_or_else(|| overflow.clone())?;
        let negative = units < 0;
        let units = units.checked_abs().ok_or_else(|| overflow.clone())?;
        let mut parts = Vec::with_capacity(ints.len());
        let mut remainders = Vec::with_capacity(ints.len());
        for (i, w) in ints.iter().enumerate() {
            let product = units.checked_mul(*w).ok_or_else(|| overflow.clone())?;
            parts.push(product / total);
            remainders.push((product % total, i));
        }
        let mut left = units - parts.iter().sum::<i128>();
        // Largest remainder first; equal remainders: lower index first.
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in remainders {
            if left == 0 {
                break;
            }
            if let Some(p) = parts.get_mut(i) {
                *p += 1;
                left -= 1;
            }
        }
        parts
            .into_iter()
            .map(|p| {
                let signed = if negative { -p } else { p };
                Decimal::try_from_i128_with_scale(signed, minor)
                    .map(|amount| Self {
                        amount,
                        currency: self.currency,
                    })
                    .map_err(|_| overflow.clone())
            })
            .collect()
    }
}

fn pow10(exp: u32) -> Option<i128> {
    10i128.checked_pow(exp)
}

fn with_scale(mut d: Decimal, scale: u32) -> Decimal {
    d.rescale(scale);
    d
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn precision_and_currency_are_enforced() {
        assert!(matches!(
            Money::new(dec!(1.005), Currency::EUR),
            Err(Error::TooPrecise { .. })
        ));
        assert_eq!(
            Money::new(dec!(1.50), Currency::EUR).unwrap().to_string(),
            "1.50 EUR"
        );
        assert_eq!(
            Money::new(dec!(100), Currency::JPY).unwrap().to_string(),
            "100 JPY"
        );
        let eur = Money::new(dec!(1), Currency::EUR).unwrap();
        let usd = Money::new(dec!(1), Currency::USD).unwrap();
        assert_eq!(
            eur.checked_add(&usd).unwrap_err().to_string(),
            "currency mismatch: `EUR` and `USD` cannot be combined without a conversion"
        );
        assert!(matches!(
            Currency::from_code("XYZ"),
            Err(Error::UnknownCurrency { .. })
        ));
    }

    #[test]
    fn allocation_examples() {
        let m = Money::new(dec!(100), Currency::EUR).unwrap();
        let parts = m.allocate(&[dec!(1), dec!(1), dec!(1)]).unwrap();
        let shown: Vec<String> = parts.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["33.34 EUR", "33.33 EUR", "33.33 EUR"]);
        let neg = Money::new(dec!(-0.05), Currency::EUR).unwrap();
        let parts = neg.allocate(&[dec!(0.5), dec!(0.5)]).unwrap();
        assert_eq!(parts[0].amount() + parts[1].amount(), dec!(-0.05));
        assert!(m.allocate(&[]).is_err());
        assert!(m.allocate(&[dec!(0), dec!(0)]).is_err());
        assert!(m.allocate(&[dec!(1), dec!(-1)]).is_err());
        let kwd = Money::new(dec!(1), Currency::KWD).unwrap();
        assert_eq!(
            kwd.allocate(&[dec!(1); 3]).unwrap()[0].to_string(),
            "0.334 KWD"
        );
    }

    #[test]
    fn serde_round_trip_and_validation() {
        let m = Money::new(dec!(12.3), Currency::GBP).unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"amount":"12.30","currency":"GBP"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1.001","currency":"EUR"}"#).is_err());
    }

    fn currency() -> impl Strategy<Value = Currency> {
        prop::sample::select(KNOWN.to_vec())
    }

    proptest! {
        #[test]
        fn allocation_sums_exactly(
            cents in -1_000_000_000_000i64..1_000_000_000_000,
            currency in currency(),
            weights in proptest::collection::vec((0u32..1_000_000, 0u32..5), 1..40),
        ) {
            let m = Money::rounded(Decimal::new(cents, 2), currency);
            let ws: Vec<Decimal> = weights.iter().map(|(w, s)| Decimal::new(i64::from(*w), *s)).collect();
            prop_assume!(ws.iter().any(|w| !w.is_zero()));
            let parts = m.allocate(&ws).unwrap();
            prop_assert_eq!(parts.len(), ws.len());
            let sum: Decimal = parts.iter().map(Money::amount).sum();
            prop_assert_eq!(sum, m.amount());
            let total: Decimal = ws.iter().sum();
            let unit = Decimal::new(1, currency.minor_units());
            for (p, w) in parts.iter().zip(&ws) {
                prop_assert_eq!(p.currency(), currency);
                prop_assert!(p.amount().scale() <= currency.minor_units());
                let exact = m.amount() * *w / total;
                prop_assert!((p.amount() - exact).abs() < unit, "part {} vs exact {}", p, exact);
                if w.is_zero() { prop_assert!(p.is_zero()); }
            }
        }

        #[test]
        fn serde_round_trip(cents in any::<i64>(), currency in currency()) {
            let m = Money::rounded(Decimal::new(cents, 2), currency);
            let json = serde_json::to_string(&m).unwrap();
            prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
            let c = serde_json::to_string(&currency).unwrap();
            prop_assert_eq!(serde_json::from_str::<Currency>(&c).unwrap(), currency);
        }
    }
}
