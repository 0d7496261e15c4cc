package xmlfeed

// NamesOK tells whether the builder's cards are encoded without checking
// their element names (for TestCardNamesCheckedOnce).
func (cb *CardBuilder) NamesOK() bool { return cb.namesOK }
