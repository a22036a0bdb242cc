/**
 * Entry of dist/bibtexWorker.js: only the BibTeX parser, for the worker thread a bibliography is parsed on.
 * Starting a worker on the whole engine bundle (pdf.js included) costs most of a second before the parse
 * begins; this bundle is a tenth of its size. Importing the worker module runs its worker-side branch.
 */
import './bibtexWorker';
