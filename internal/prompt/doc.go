// Package prompt writes the stage-2 prompt of lift-sys's forward pipeline:
// the text sent with the code schema to turn an IR into a function body.
//
// The default template ([Default]) follows the parts of the original
// lift-sys prompt, in order: the purpose (the intent summary), the Python
// signature line, the constraints (one line per IR assertion, or "None"),
// when the IR has effects a numbered "Implementation steps (follow in
// order):" list, eight requirements (body only, correct, honour the
// constraints, follow the steps, idiomatic, handle errors, efficient,
// comment), and the output format. The wording is this project's own.
//
// # Retries
//
// On a retry (Data.Attempt > 1) the prompt carries, for each previous
// failure, a line
//
//	Previous attempt (#K) failed: ERROR
//
// where K is the number of the attempt that failed and ERROR its error
// ("SyntaxError: ..." or "failing inputs: add(2, 3) returned 6, want 5").
// This is a fixed contract: the scripted reference server recognises a
// retry by [RetryMarker], and the signature line `def NAME(` tells it which
// function is asked for. [Template.Render] guarantees both for any
// template: it adds the retry lines a template did not write itself.
//
// # Writing a template
//
// [Parse] accepts a text/template executed on a [Data] value:
//
//	.IR           the ir.IR (.IR.Intent.Summary, .IR.Signature, .IR.Assertions,
//	              .IR.Effects, .IR.Constraints, ...)
//	.Attempt      this attempt's number, from 1
//	.MaxAttempts  the number of attempts allowed, 0 when unknown
//	.Previous     the failures of the earlier attempts ([]Failure: .Attempt, .Error)
//
// with these functions:
//
//	signature IR   the signature line, "def name(a: int, b: int) -> int"
//	pytype TEXT    a type word as a Python annotation ("integer" -> "int")
//	oneline TEXT   TEXT with its runs of white space, newlines included, made one space
//	add A B        A + B, for numbering from 1 in a range
//	retry FAILURE  the line "Previous attempt (#K) failed: ERROR"
package prompt
