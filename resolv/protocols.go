package resolv

// ProtoEnt is struct protoent of getprotoent(3).
type ProtoEnt struct {
	Name    string
	Aliases []string
	Proto   int
}

// parseProtoLine parses one protocols(5) line, "protocol number aliases
// ...": the number is read with strtoul(3), must be followed by whitespace
// or the end of the line, and is stored in a C int.
func parseProtoLine(line string) (ProtoEnt, bool) {
	name, rest := cutField(line)
	if rest == "" || rest[0] == '-' {
		return ProtoEnt{}, false // glibc reads the number unsigned
	}
	v, rest, ok := strtoul(rest)
	if !ok || rest != "" && !isSpace(rest[0]) {
		return ProtoEnt{}, false
	}
	return ProtoEnt{Name: name, Aliases: fields(rest), Proto: int(int32(uint32(v)))}, true
}

// ProtoEntIter enumerates the protocols database: setprotoent(3),
// getprotoent(3), endprotoent(3).
type ProtoEntIter struct {
	lines []string
	pos   int
}

// SetProtoEnt opens the protocols database: setprotoent(3).
func (c Config) SetProtoEnt() (*ProtoEntIter, error) {
	lines, err := dbLines(c.protocolsPath())
	if err != nil {
		return nil, err
	}
	return &ProtoEntIter{lines: lines}, nil
}

// GetProtoEnt returns the next entry, or false at the end: getprotoent(3).
func (it *ProtoEntIter) GetProtoEnt() (*ProtoEnt, bool) {
	for it.pos < len(it.lines) {
		p, ok := parseProtoLine(it.lines[it.pos])
		it.pos++
		if ok {
			return &p, true
		}
	}
	return nil, false
}

// Rewind starts the enumeration again.
func (it *ProtoEntIter) Rewind() { it.pos = 0 }

// EndProtoEnt closes the database: endprotoent(3).
func (it *ProtoEntIter) EndProtoEnt() { it.lines, it.pos = nil, 0 }

// GetProtoByName returns the first protocol whose name or alias is name
// (case-sensitive): getprotobyname(3).
func (c Config) GetProtoByName(name string) (*ProtoEnt, error) {
	return c.findProto(func(p *ProtoEnt) bool {
		if p.Name == name {
			return true
		}
		for _, a := range p.Aliases {
			if a == name {
				return true
			}
		}
		return false
	})
}

// GetProtoByNumber returns the first protocol with number n:
// getprotobynumber(3).
func (c Config) GetProtoByNumber(n int) (*ProtoEnt, error) {
	return c.findProto(func(p *ProtoEnt) bool { return p.Proto == n })
}

func (c Config) findProto(match func(*ProtoEnt) bool) (*ProtoEnt, error) {
	it, err := c.SetProtoEnt()
	if err != nil {
		return nil, err
	}
	for p, ok := it.GetProtoEnt(); ok; p, ok = it.GetProtoEnt() {
		if match(p) {
			return p, nil
		}
	}
	return nil, ErrNotFound
}
