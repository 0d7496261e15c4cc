// Package xmlfeed writes, reads and checks MiniCRM's XML sync feeds
// ("SyncFeed"): one file that creates or updates any number of cards, with
// their company, people, orders and offers, in one API call. REST at 60
// requests a minute moves 3,600 records an hour; a feed moves millions.
//
// # The format, as far as it is known
//
// Nothing of it is specified in one place; our notes on the public material
// (docs/feed-reference.md) collect what is known, with confidence markers this comment
// keeps: [C-doc] official material, [C-live] seen on a live system,
// [C-code] public code that works against MiniCRM, [I] inferred, [?]
// unknown.
//
//	<?xml version="1.0" encoding="UTF-8"?>        UTF-8 with declaration [C-doc: WOO]
//	<Projects>                                    the root [C-doc]
//	  <Project Id="EXT-1">                        required: the source's id, stored as
//	                                              the card's ReferenceId; the same Id
//	                                              again updates that card [C-doc: WEBSHOP]
//	    <Name>…</Name>                            basic fields [C-doc: WEBSHOP]; needed
//	    <CategoryId>10</CategoryId>               to create a card, not to update one [I]
//	    <StatusId>2620</StatusId>                 id or name [C-code: PEN ids; C-doc: WOO names]
//	    <UserId>22404</UserId>                    id or the owner's name [C-code / C-doc]
//	    <AnyCardField>…</AnyCardField>            custom fields by API name [C-code: PEN]
//	    <Business>                                the company [C-doc: WOO]
//	      <Name/> <VatNumber/>
//	      <Addresses><Address><CountryId/><PostalCode/><City/><Address/></Address></Addresses>
//	      <Emails><Email><Value/></Email></Emails>
//	      <Phones><Phone><Value/></Phone></Phones>
//	    </Business>
//	    <Contacts><Contact Id="P-1">             Id optional; most likely the contact's
//	      <FirstName/><LastName/><Email/><Phone/>  ReferenceId [I]; flat Email/Phone as
//	    </Contact></Contacts>                     PEN sends them [C-code]
//	    <Orders><Order Id="O-1">                  webshop orders [C-doc: WEBSHOP, WOO]
//	      <Number/><CurrencyCode/><Performance/><Status/><PaymentMethod/>
//	      <Customer><Name/><CountryId/><PostalCode/><City/><Address/></Customer>
//	      <Products><Product Id="SKU-1"><Name/><PriceNet/><Quantity/><Unit/><VAT/><FolderName/></Product></Products>
//	      <Project><AnyOrderCardField/></Project>  the order card's fields [C-doc: WOO]
//	    </Order></Orders>
//	    <Offers>…same shape as Orders…</Offers>   [C-code: PEN]
//	  </Project>
//	</Projects>
//
// Choices made where the sources leave room, and why:
//   - Dropdown values (StatusId, UserId, custom enums) are written as option
//     ids. The feed accepts ids or labels ([C-code] PEN sends ids; WOO sends
//     status names); ids do not break when an option is renamed and do not
//     depend on the system's language.
//   - Dates are "YYYY-MM-DD", date-times "YYYY-MM-DD HH:MM:SS", Hungarian
//     local time, as REST and WOO use them [C-doc].
//   - A field the mapping clears (if_empty: clear) is written as an empty
//     element. Whether MiniCRM clears the field or ignores the element is
//     undocumented [?].
//   - Values are escaped, not wrapped in CDATA (PEN's habit): one rule for
//     every value, and no "]]>" special case. Characters XML 1.0 cannot
//     carry (control characters but tab and line breaks, U+FFFE, U+FFFF,
//     invalid UTF-8) are dropped and reported, never written: one of them
//     would make MiniCRM's parser refuse the whole file. A carriage return
//     is written as &#xD; so that it survives parsing.
//   - Element names are held to ASCII identifiers ([A-Za-z_][A-Za-z0-9_.-]*),
//     which every MiniCRM API name is.
//   - What an empty element, a repeated Project Id in one file, or the same
//     Id in two modules does is undocumented [?]: the build refuses
//     duplicate Ids (the second row goes to the errors) and Inspect reports
//     them.
//
// # Calls and limits
//
// MiniCRM takes a feed two ways (restapi.SyncFeedService): GET
// /Api/SyncFeed/<SystemId>?Source=<url> makes it download the file from
// where it is published (it gives up after about 120 s, and answers only
// once the download is done) [C-doc: XMLHELP, WOO]; POST
// /Api/SyncFeed/<FeedId>/Upload sends the file in the body, with a FeedId
// MiniCRM's support assigns [C-code: PEN]. Both answer 200 with a JSON body
// whose keys are undocumented, and apply the feed afterwards,
// asynchronously: success means "received", and the result is read back
// through REST (GET /Api/R3/Project?ReferenceId=…). The newest manual
// limits XML sync to 180 requests an hour [C-doc: MAN25].
//
// # This package
//
// Writer streams a document (a hand-written escaper behind a bufio.Writer;
// memory holds one card). Reader and Inspect read one back token by token.
// CardBuilder and Build turn mapping rows into cards (the feed build
// command), rejecting rows that fail the Schema checks into the errors
// output; Build is a stage (map, build and encode, on one worker per core)
// and a sink (duplicate Ids, parts, in source order) of the row flow of
// package rowflow. Snapshot keeps, per Project Id, a digest of what the last
// successful push sent, for partial feeds (--changed-only). For a mapping
// with an order block, Build groups the rows of each order id into an
// <Order> under its customer's card (orders.go).
package xmlfeed
