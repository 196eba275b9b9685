package lifttesttest_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/refserver"
	"github.com/lift-sys/lifttest/lifttest/lifttesttest"
)

// TestAPIHidesInternalPackages keeps internal types out of the exported
// API: users cannot import them, so a signature that mentions one is
// unusable, and the internal package could not change without breaking
// them.
func TestAPIHidesInternalPackages(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		internal := map[string]bool{}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(p, "/internal/") {
				local := p[strings.LastIndex(p, "/")+1:]
				if imp.Name != nil {
					local = imp.Name.Name
				}
				internal[local] = true
			}
		}
		check := func(what string, n ast.Node) {
			if n == nil {
				return
			}
			ast.Inspect(n, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok && internal[id.Name] {
						t.Errorf("%s: exported %s mentions %s.%s", fset.Position(sel.Pos()), what, id.Name, sel.Sel.Name)
					}
				}
				return true
			})
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				if d.Recv != nil {
					check(d.Name.Name+" receiver", d.Recv)
				}
				check(d.Name.Name, d.Type)
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						st, ok := s.Type.(*ast.StructType)
						if !ok {
							check(s.Name.Name, s.Type)
							continue
						}
						for _, fld := range st.Fields.List {
							if len(fld.Names) == 0 || fld.Names[0].IsExported() {
								check(s.Name.Name+" field", fld.Type)
							}
						}
					case *ast.ValueSpec:
						for i, n := range s.Names {
							if !n.IsExported() {
								continue
							}
							check(n.Name, s.Type)
							if i < len(s.Values) {
								check(n.Name, s.Values[i])
							}
						}
					}
				}
			}
		}
	}
}

// DefaultModel is spelt out so that the docs name no internal package; it
// must stay the reference endpoint's default.
func TestDefaultModel(t *testing.T) {
	t.Parallel()
	require.Equal(t, refserver.DefaultModel, lifttesttest.DefaultModel)
}
