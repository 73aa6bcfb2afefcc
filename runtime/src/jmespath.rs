//! The values and operators of the JMESPath subset that waiters use. The generator compiles each
//! expression to plain Rust over the typed output; only where JMESPath compares, counts or
//! combines values does the result become a [`Value`], with JMESPath's rules for each.

use std::cmp::Ordering;

/// A JMESPath value borrowed from an operation's output. Structures and maps are
/// [`Value::Object`]s that keep only their size: no expression the generator accepts looks
/// inside one after it has become a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Number(f64),
    String(&'a str),
    List(Vec<Value<'a>>),
    /// A structure or map with this many entries (a structure counts as one: never empty).
    Object(usize),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl<'a> Value<'a> {
    /// JMESPath truthiness: false, null, and empty strings, lists and objects are false.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(value) => *value,
            Value::Number(_) => true,
            Value::String(text) => !text.is_empty(),
            Value::List(items) => !items.is_empty(),
            Value::Object(entries) => *entries > 0,
        }
    }

    /// `a && b`: `a` when it is false, else `b`.
    pub fn and(self, other: Value<'a>) -> Value<'a> {
        if self.is_truthy() {
            other
        } else {
            self
        }
    }

    /// `a || b`: `a` when it is true, else `b`.
    pub fn or(self, other: Value<'a>) -> Value<'a> {
        if self.is_truthy() {
            self
        } else {
            other
        }
    }

    /// `!a`.
    pub fn not(&self) -> Value<'a> {
        Value::Bool(!self.is_truthy())
    }

    /// `a == b`, `a < b`, ...: equality for any two values; ordering only between numbers
    /// (anything else orders to null, as JMESPath says).
    pub fn compare(&self, comparator: Comparator, other: &Value<'_>) -> Value<'a> {
        let equal = self.equals(other);
        let ordering = match (self, other) {
            (Value::Number(a), Value::Number(b)) => a.partial_cmp(b),
            _ => None,
        };
        match (comparator, ordering) {
            (Comparator::Eq, _) => Value::Bool(equal),
            (Comparator::Ne, _) => Value::Bool(!equal),
            (_, None) => Value::Null,
            (Comparator::Lt, Some(ordering)) => Value::Bool(ordering == Ordering::Less),
            (Comparator::Le, Some(ordering)) => Value::Bool(ordering != Ordering::Greater),
            (Comparator::Gt, Some(ordering)) => Value::Bool(ordering == Ordering::Greater),
            (Comparator::Ge, Some(ordering)) => Value::Bool(ordering != Ordering::Less),
        }
    }

    /// JMESPath equality (across lifetimes, which `PartialEq` can't compare): a `path` acceptor.
    pub fn equals(&self, other: &Value<'_>) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) => a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.equals(b)),
            _ => false,
        }
    }

    /// A non-empty list whose items all equal `expected`: a `pathAll` acceptor.
    pub fn all_equal(&self, expected: &Value<'_>) -> bool {
        matches!(self, Value::List(items) if !items.is_empty() && items.iter().all(|item| item.equals(expected)))
    }

    /// A list with an item equal to `expected`: a `pathAny` acceptor.
    pub fn any_equal(&self, expected: &Value<'_>) -> bool {
        matches!(self, Value::List(items) if items.iter().any(|item| item.equals(expected)))
    }

    /// `length(a)`: characters of a string, items of a list, entries of an object; null for the rest.
    pub fn length(&self) -> Value<'a> {
        let count = match self {
            Value::String(text) => text.chars().count(),
            Value::List(items) => items.len(),
            Value::Object(entries) => *entries,
            _ => return Value::Null,
        };
        Value::Number(count as f64)
    }

    /// `contains(a, b)`: a list holding `b`, or a string holding the string `b`.
    pub fn contains(&self, needle: &Value<'_>) -> Value<'a> {
        match (self, needle) {
            (Value::List(items), _) => Value::Bool(items.iter().any(|item| item.equals(needle))),
            (Value::String(text), Value::String(part)) => Value::Bool(text.contains(part)),
            (Value::String(_), _) => Value::Bool(false),
            _ => Value::Null,
        }
    }
}

/// `list[index]`, negative indexes counting from the end.
pub fn index<T>(list: &[T], index: i64) -> Option<&T> {
    let position = if index < 0 { list.len().checked_sub(index.unsigned_abs() as usize)? } else { index as usize };
    list.get(position)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Value::*;

    #[test]
    fn truthiness_follows_jmespath() {
        for value in [Null, Bool(false), String(""), List(vec![]), Object(0)] {
            assert!(!value.is_truthy(), "{value:?}");
        }
        for value in [Bool(true), Number(0.0), String("x"), List(vec![Null]), Object(1)] {
            assert!(value.is_truthy(), "{value:?}");
        }
    }

    #[test]
    fn and_or_not_return_operands() {
        assert_eq!(String("a").and(String("b")), String("b"));
        assert_eq!(String("").and(String("b")), String(""));
        assert_eq!(Null.or(Number(1.0)), Number(1.0));
        assert_eq!(String("a").or(Number(1.0)), String("a"));
        assert_eq!(List(vec![]).not(), Bool(true));
    }

    #[test]
    fn comparisons_order_only_numbers() {
        assert_eq!(Number(2.0).compare(Comparator::Gt, &Number(0.0)), Bool(true));
        assert_eq!(Number(0.0).compare(Comparator::Ge, &Number(0.0)), Bool(true));
        assert_eq!(Number(0.0).compare(Comparator::Lt, &Number(0.0)), Bool(false));
        assert_eq!(String("b").compare(Comparator::Gt, &String("a")), Null);
        assert_eq!(Null.compare(Comparator::Gt, &Number(0.0)), Null);
        assert_eq!(String("ACTIVE").compare(Comparator::Eq, &String("ACTIVE")), Bool(true));
        assert_eq!(String("ACTIVE").compare(Comparator::Ne, &String("DELETING")), Bool(true));
        assert_eq!(Null.compare(Comparator::Eq, &Null), Bool(true));
        assert_eq!(Number(1.0).compare(Comparator::Eq, &String("1")), Bool(false));
        let list = List(vec![String("a"), Number(1.0)]);
        assert_eq!(list.compare(Comparator::Eq, &list.clone()), Bool(true));
    }

    #[test]
    fn path_all_and_path_any() {
        let statuses = List(vec![String("ACTIVE"), String("ACTIVE")]);
        assert!(statuses.all_equal(&String("ACTIVE")) && statuses.any_equal(&String("ACTIVE")));
        let mixed = List(vec![String("ACTIVE"), String("FAILED")]);
        assert!(!mixed.all_equal(&String("ACTIVE")) && mixed.any_equal(&String("FAILED")));
        assert!(!List(vec![]).all_equal(&String("ACTIVE")) && !List(vec![]).any_equal(&String("ACTIVE")));
        assert!(!String("ACTIVE").all_equal(&String("ACTIVE")) && !Null.any_equal(&Null));
    }

    #[test]
    fn length_and_contains() {
        assert_eq!(String("héllo").length(), Number(5.0));
        assert_eq!(List(vec![Null, Null]).length(), Number(2.0));
        assert_eq!(Object(3).length(), Number(3.0));
        assert_eq!(Null.length(), Null);
        assert_eq!(Number(4.0).length(), Null);
        assert_eq!(List(vec![String("a")]).contains(&String("a")), Bool(true));
        assert_eq!(String("abc").contains(&String("bc")), Bool(true));
        assert_eq!(String("abc").contains(&Number(1.0)), Bool(false));
        assert_eq!(Null.contains(&String("a")), Null);
    }

    #[test]
    fn indexes_count_from_either_end() {
        let list = [1, 2, 3];
        assert_eq!(index(&list, 0), Some(&1));
        assert_eq!(index(&list, -1), Some(&3));
        assert_eq!(index(&list, -3), Some(&1));
        assert_eq!(index(&list, -4), None);
        assert_eq!(index(&list, 3), None);
        assert_eq!(index::<i32>(&[], -1), None);
        assert_eq!(index(&list, i64::MIN), None);
    }
}
