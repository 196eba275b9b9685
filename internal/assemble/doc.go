// Package assemble turns lift-sys's stage-2 answer (an [ir.Code]: a flat
// list of body statements, imports and helper functions) into a Python
// module for the function an [ir.IR] describes, and finds the function to
// test in generated source.
//
// # Output format
//
// [Assemble] reproduces the format of the original lift-sys assembler as it
// was recorded in real runs, byte for byte for the bodies it handled
// correctly:
//
//	from typing import Any              (only for typing names actually used)
//
//	from m import a, b                  (one line per imports entry)
//
//	def helper(x):                      (helper functions, two blank lines after each)
//	    ...
//
//
//	def name(p: T, q: U) -> R:          (3+ parameters: one per line)
//	    """Summary with a final period.
//
//	    Rationale.
//
//	    Args:
//	        p: description, or "Parameter value"
//
//	    Returns:
//	        R
//	    """
//	    # Algorithm: ...
//
//	    # rationale of the statement
//	    statement
//
// Blank lines inside the docstring carry the four spaces of indentation, as
// in the recorded source_code fields, and the module has no final newline.
//
// # Indentation
//
// Statements arrive flat (`if x > y:` is one statement, its body the next
// ones), so block structure is rebuilt with a stack of indentation levels:
//
//   - a statement whose code ends in ":" and starts with a compound keyword
//     (if, for, while, with, try, def, class, elif, else, except, finally,
//     async, match, case) opens a block: the next statement goes one level
//     deeper;
//   - elif, else, except and finally (as code or as statement type) go back
//     to the level of the innermost open block header they can continue;
//   - return, raise, continue, break and pass end their block: the next
//     statement goes one level up. The original assembler did this only for
//     return, so code after a block-ending raise stayed nested (it compiled
//     but did the wrong thing);
//   - the last statement of the body, when it is a return or raise that
//     does not directly follow a block header, goes to the function level:
//     a final return after a loop belongs after the loop;
//   - a block left empty gets a pass, and so does an empty function body.
//
// Two recorded model bugs are repaired: a return-typed statement without
// the return keyword gets one, and the imports entry that would give
// `from re import re` becomes `import re`.
package assemble
