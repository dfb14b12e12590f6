-- The retriever looks up the other language's articles for every question: found at once when there are none.
CREATE INDEX documents_lang ON documents (lang);
